import type { Child } from 'hono/jsx'
import { HtmlDocument } from './app-layout.js'

/** The narrow centred layout of sign-in and first-run pages. */
export function AuthLayout(props: { title: string; children?: Child }) {
  return (
    <HtmlDocument title={props.title}>
      <body>
        <main class='auth-box'>
          <p class='brand'>Clockbridge</p>
          {props.children}
        </main>
      </body>
    </HtmlDocument>
  )
}
