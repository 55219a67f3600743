/** A message shown once, on the page after a change. */
export type Flash = { kind: 'success' | 'error'; message: string }

export function FlashMessage(props: { flash: Flash }) {
  return (
    <p class={`flash flash-${props.flash.kind}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
      {props.flash.message}
    </p>
  )
}
