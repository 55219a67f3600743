import type { Flash } from '../../src/http/flash.js'

export function FlashMessage(props: { flash: Flash }) {
  return (
    <p class={`flash flash-${props.flash.kind}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
      {props.flash.message}
    </p>
  )
}
