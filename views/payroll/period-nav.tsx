/** A pay period, first and last day (YYYY-MM-DD). */
export type Period = { start: string; end: string }

/** Previous / current / next pay period, as links that keep the other query parameters. */
export function PeriodNav(props: {
  basePath: string
  period: Period
  previous: Period
  next: Period
  status?: 'open' | 'approved'
  extra?: Record<string, string>
}) {
  const href = (p: Period) => `${props.basePath}?${new URLSearchParams({ ...props.extra, period: p.start })}`
  return (
    <nav class='period-nav' aria-label='Pay period'>
      <a href={href(props.previous)} rel='prev'>
        ← Previous
      </a>
      <strong>
        {props.period.start} to {props.period.end}
      </strong>
      {props.status && (
        <span class={`badge ${props.status === 'approved' ? 'badge-approved' : 'badge-open'}`}>
          {props.status === 'approved' ? 'Approved, locked' : 'Open'}
        </span>
      )}
      <a href={href(props.next)} rel='next'>
        Next →
      </a>
    </nav>
  )
}
