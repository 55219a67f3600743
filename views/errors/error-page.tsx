export const ERROR_TEXT: Record<number, { title: string; message: string }> = {
  400: { title: 'Bad request', message: 'The request could not be understood. Reload the page and try again.' },
  403: {
    title: 'Not allowed',
    message: 'Your role does not include the permission this page needs. Ask an administrator to grant it.',
  },
  404: { title: 'Not found', message: 'Nothing is here. The record may have been removed, or the address is mistyped.' },
  413: { title: 'Too large', message: 'The request is larger than this server accepts. Send a smaller file or form.' },
  429: { title: 'Too many requests', message: 'Slow down and try again in a moment.' },
  500: {
    title: 'Something went wrong',
    message:
      'The server failed while handling this request. Nothing was half-saved; try again, and if it keeps failing, give the request id below to whoever runs this server.',
  },
}

export function ErrorContent(props: { status: number; message?: string; requestId: string }) {
  const text = ERROR_TEXT[props.status] ?? { title: `Error ${props.status}`, message: '' }
  return (
    <section class='error-page' data-status={props.status}>
      <h1>
        {props.status} · {text.title}
      </h1>
      <p>{props.message ?? text.message}</p>
      <p>
        <small>Request id: {props.requestId}</small>
      </p>
      <p>
        <a href='/'>Back to the start page</a>
      </p>
    </section>
  )
}
