import type { Period } from './period-nav.js'
import { formatMinutes } from '../../src/lib/format.js'
import { formatTimestamp } from '../../src/lib/format.js'
import { CheckboxField, Field, FormError, HtmxForm, SelectField, type FormState } from '../components/form-fields.js'
import { PageHeader } from '../components/list-view.js'
import { PeriodNav } from './period-nav.js'

/** A period's hours as the Payroll tab shows them: per employee, each line and the totals per pay ID. */
export type PeriodSummary = {
  period: Period
  status: 'open' | 'approved'
  approvedAt: string | null
  payIds: string[]
  employees: {
    name: string
    number: string | null
    totals: Record<string, number>
    minutes: number
    lines: { date: string; payId: string; minutes: number; jobSite: string | null; costCode: string | null; department: string | null }[]
  }[]
}

/** Something that blocks or warns about a publish, with where to fix it. */
export type Issue = { message: string; href: string }

export type PayrollView = {
  summary: PeriodSummary
  previous: Period
  next: Period
  canApprove: boolean
  canSettings: boolean
  canPublish: boolean
  unlockError?: string
  policyText: string
  fileFormats: { key: string; label: string }[]
  targets: PublishTargetView[]
}

/** The Payroll tab: a period's hours per employee and pay ID, worked hours split by the pay policy; approve or unlock. */
export function PayrollPage(v: PayrollView) {
  const s = v.summary
  const q = `period=${s.period.start}`
  return (
    <>
      <PageHeader title='Payroll'>
        <a href={`/time-entries?${q}`}>Time entries</a>
        <a href='/payroll/mapping'>Payroll item mapping</a>
        {v.canSettings && <a href='/payroll/settings'>Pay policy</a>}
      </PageHeader>
      <PeriodNav basePath='/payroll' period={s.period} previous={v.previous} next={v.next} status={s.status} />
      <p class='muted'>{v.policyText}</p>
      {s.employees.length === 0 ? (
        <p class='muted'>No time in this period.</p>
      ) : (
        <table class='striped' id='payroll-totals'>
          <thead>
            <tr>
              <th scope='col'>Employee</th>
              {s.payIds.map((p) => (
                <th scope='col' class='number'>
                  {p}
                </th>
              ))}
              <th scope='col' class='number'>
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {s.employees.map((e) => (
              <tr>
                <th scope='row'>
                  <details>
                    <summary>
                      {e.name}
                      {e.number ? ` (${e.number})` : ''}
                    </summary>
                    <table class='lines'>
                      <tbody>
                        {e.lines.map((l) => (
                          <tr>
                            <td>{l.date}</td>
                            <td>
                              <code>{l.payId}</code>
                            </td>
                            <td class='number'>{formatMinutes(l.minutes)}</td>
                            <td>{l.jobSite ?? ''}</td>
                            <td>{l.costCode ?? ''}</td>
                            <td>{l.department ?? ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </details>
                </th>
                {s.payIds.map((p) => (
                  <td class='number'>{e.totals[p] ? formatMinutes(e.totals[p]!) : ''}</td>
                ))}
                <td class='number'>{formatMinutes(e.minutes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {v.canApprove && <ApprovalSection summary={s} error={v.unlockError} />}
      {v.canPublish && v.targets.length > 0 && (
        <section id='publishing'>
          <h2>Publish</h2>
          {v.targets.map((t) => (
            <PublishSection period={s.period.start} target={t} approved={s.status === 'approved'} />
          ))}
        </section>
      )}
      {v.canPublish && <PayrollFilesSection period={s.period.start} approved={s.status === 'approved'} formats={v.fileFormats} canSettings={v.canPublish} />}
    </>
  )
}

function ApprovalSection(props: { summary: PeriodSummary; error?: string }) {
  const s = props.summary
  const q = `period=${s.period.start}`
  if (s.status === 'open') {
    const minutes = s.employees.reduce((sum, e) => sum + e.minutes, 0)
    const hours = (minutes / 60).toLocaleString('en-US', { maximumFractionDigits: 2 })
    return (
      <form
        method='post'
        action={`/payroll/approve?${q}`}
        id='approve-period'
        data-confirm={`Approve and lock ${s.period.start} to ${s.period.end}: ${hours} hours of ${s.employees.length} employee(s)? Their time cannot change until the period is unlocked.`}
      >
        <button type='submit'>Approve and lock this period</button>
      </form>
    )
  }
  return (
    <form method='post' action={`/payroll/unlock?${q}`} id='unlock-period' hx-post={`/payroll/unlock?${q}`} hx-target='this' hx-swap='outerHTML'>
      <p>Approved {s.approvedAt ? s.approvedAt.slice(0, 16).replace('T', ' ') : ''} UTC. Time in it cannot change until it is unlocked.</p>
      <label for='unlock-reason'>Reason to unlock</label>
      <input id='unlock-reason' name='reason' required maxlength={500} aria-invalid={props.error ? 'true' : undefined} aria-describedby='unlock-reason-help' />
      {props.error ? (
        <small id='unlock-reason-help' class='field-error'>
          {props.error}
        </small>
      ) : (
        <small id='unlock-reason-help'>Kept in the audit log.</small>
      )}
      <button type='submit' class='secondary'>
        Unlock
      </button>
    </form>
  )
}

export function PayrollSettingsForm(props: { form: FormState }) {
  return (
    <HtmxForm action='/payroll/settings' id='payroll-settings'>
      <FormError form={props.form} />
      <h2>Pay policy</h2>
      <Field form={props.form} name='weeklyOvertimeHours' label='Weekly overtime after (hours)' required />
      <div class='grid'>
        <CheckboxField form={props.form} name='dailyOvertime' label='Daily overtime' />
        <Field form={props.form} name='dailyOvertimeHours' label='Daily overtime after (hours)' />
      </div>
      <div class='grid'>
        <CheckboxField form={props.form} name='dailyDoubleTime' label='Daily double time' />
        <Field form={props.form} name='dailyDoubleTimeHours' label='Daily double time after (hours)' />
      </div>
      <CheckboxField form={props.form} name='seventhDayRule' label='Seventh consecutive day: first 8 h overtime, the rest double time' />
      <p class='muted'>The work week starts on the first day of the week set under Administration {'>'} Settings.</p>
      <h2>Pay periods</h2>
      <div class='grid'>
        <SelectField
          form={props.form}
          name='frequency'
          label='Pay frequency'
          required
          options={[
            { value: 'weekly', label: 'Weekly' },
            { value: 'biweekly', label: 'Every two weeks' },
            { value: 'semi-monthly', label: 'Twice a month (1st-15th, 16th-end)' },
          ]}
        />
        <Field form={props.form} name='anchor' label='First day of any pay period' type='date' hint='For weekly and biweekly periods.' />
      </div>
      <button type='submit'>Save</button>
    </HtmxForm>
  )
}

/** Download buttons for the period's payroll files (made only for an approved period). */
export function PayrollFilesSection(props: { period: string; approved: boolean; formats: { key: string; label: string }[]; canSettings: boolean }) {
  return (
    <section id='payroll-files'>
      <h2>Payroll files</h2>
      <p class='muted'>
        {props.approved ? 'Files for uploading this period to a payroll platform by hand.' : 'Approve the period to make its payroll files.'} Pay IDs become
        each platform's codes through the <a href='/payroll/mapping'>payroll item mapping</a>
        {props.canSettings && (
          <>
            ; company codes and IDs are under <a href='/payroll/files/settings'>payroll file settings</a>
          </>
        )}
        .
      </p>
      <ul class='file-list'>
        {props.formats.map((f) => (
          <li>{props.approved ? <a href={`/payroll/files/${f.key}?period=${props.period}`}>{f.label}</a> : <span class='muted'>{f.label}</span>}</li>
        ))}
      </ul>
    </section>
  )
}

export function FileProblemsPage(props: { format: string; problems: { message: string; fix: string; href: string }[]; period: string }) {
  return (
    <>
      <PageHeader title={`${props.format}: not made`} breadcrumb={{ href: `/payroll?period=${props.period}`, label: 'Payroll' }} />
      <p>The file was not made. Fix these first:</p>
      <ul class='problems'>
        {props.problems.map((p) => (
          <li>
            {p.message}. <a href={p.href}>{p.fix}</a>.
          </li>
        ))}
      </ul>
    </>
  )
}

export function FileSettingsForm(props: { form: FormState }) {
  return (
    <HtmxForm action='/payroll/files/settings' id='file-settings'>
      <FormError form={props.form} />
      <h2>QuickBooks Desktop IIF</h2>
      <div class='grid'>
        <Field form={props.form} name='iifCompanyName' label='Company name' hint='As in Company > Company Information in QuickBooks.' />
        <Field form={props.form} name='iifCompanyCreateTime' label='Company create time' hint='The number in a Timer list export of the company file.' />
        <SelectField
          form={props.form}
          name='iifEmployeeName'
          label='Employee names'
          options={[
            { value: 'first-last', label: 'First Last' },
            { value: 'last-first', label: 'Last, First' },
          ]}
        />
      </div>
      <h2>ADP and Paychex</h2>
      <div class='grid'>
        <Field form={props.form} name='adpCoCode' label='ADP Workforce Now company code' />
        <Field form={props.form} name='adpRunIid' label='ADP RUN IID' />
        <Field form={props.form} name='paychexClientId' label='Paychex client ID' />
      </div>
      <button type='submit'>Save</button>
    </HtmxForm>
  )
}

export type PublishTargetView = {
  key: string
  name: string
  blocking: { message: string; href: string }[]
  warnings: { message: string; href: string }[]
  counts: { pending: number; sent: number; failed: number; unconfirmed: number }
  /** Lines that left and whose answer has not come back: never shown as failed, checked again by themselves. */
  unconfirmed: { nextCheckAt: string | null; reason: string | null } | null
  failed: { date: string; payId: string; minutes: number; message: string | null }[]
  runs: { created_at: string; added: number; corrected: number; removed: number; unchanged: number }[]
  agentName?: string
  /** Why pending lines have not gone yet (the connection failed), if they were tried. */
  waiting?: string | null
  /** The target's lists can be read to link records by natural key. */
  canMatch: boolean
  /** A target that takes a file instead (Sage 300 CRE): its exports of this period, newest first. */
  file?: { label: string; exports: { exported_at: string; exported_by_name: string; lines: number; checksum: string; filename: string }[] }
}

/** The file a target takes by hand: every export of the period listed, and a second one only on purpose. */
/** Problems of a publishing check, each a link to where it is fixed. */
function ProblemLinks(props: { problems: Issue[] }) {
  return (
    <ul>
      {props.problems.map((p) => (
        <li>
          <a href={p.href}>{p.message}</a>
        </li>
      ))}
    </ul>
  )
}

function FileExportForm(props: { period: string; target: PublishTargetView; approved: boolean }) {
  const t = props.target
  const exports = t.file!.exports
  return (
    <>
      {exports.length > 0 && (
        <div class='flash flash-warning' role='status'>
          <p>
            Already exported {exports.length === 1 ? 'once' : `${exports.length} times`}; the last on {formatTimestamp(exports[0]!.exported_at)} by{' '}
            {exports[0]!.exported_by_name}: {exports[0]!.lines} line{exports[0]!.lines === 1 ? '' : 's'}, SHA-256{' '}
            <code>{exports[0]!.checksum.slice(0, 16)}</code>. Import only one file per period in Sage.
          </p>
        </div>
      )}
      <form method='post' action={`/payroll/publish/${t.key}/export?period=${props.period}`} class='inline-form'>
        {exports.length > 0 && <input type='hidden' name='confirm' value='1' />}
        <button type='submit' class={exports.length > 0 ? 'secondary' : undefined} disabled={t.blocking.length > 0 || !props.approved}>
          {exports.length > 0 ? `Export the ${t.file!.label} again` : `Export the ${t.file!.label}`}
        </button>
      </form>
    </>
  )
}

/** A target that takes lines: their state, why pending ones wait, the failed ones, and the actions. */
function LinePublishing(props: { period: string; target: PublishTargetView; approved: boolean }) {
  const t = props.target
  const q = `period=${props.period}`
  return (
    <>
      <p>
        Lines: {t.counts.sent} sent{t.counts.unconfirmed > 0 ? ` · ${t.counts.unconfirmed} sent, waiting for ${t.name} to confirm` : ''} · {t.counts.pending}{' '}
        pending
        {t.counts.pending > 0 && t.agentName ? ` (sent on ${t.agentName}'s next visit)` : ''} · {t.counts.failed} failed
      </p>
      {t.unconfirmed && (
        <p class='flash flash-info' role='status'>
          {t.counts.unconfirmed} line{t.counts.unconfirmed === 1 ? ' was' : 's were'} sent to {t.name} and no answer came back yet; {t.name} may already hold{' '}
          {t.counts.unconfirmed === 1 ? 'it' : 'them'}. Clockbridge checks with {t.name}{' '}
          {t.unconfirmed.nextCheckAt
            ? `again at ${formatTimestamp(t.unconfirmed.nextCheckAt).slice(11)}`
            : t.agentName
              ? `on ${t.agentName}'s next visit`
              : 'shortly'}{' '}
          before sending anything again, so nothing is added twice.
          {t.unconfirmed.reason && <small class='muted'> Last answer: {t.unconfirmed.reason}</small>}
        </p>
      )}
      {t.counts.pending > 0 && t.waiting && !t.agentName && (
        <p class='flash flash-warning' role='status'>
          {t.waiting} Publish again to send the pending lines once this is fixed.
        </p>
      )}
      {t.failed.length > 0 && (
        <table class='striped'>
          <tbody>
            {t.failed.map((f) => (
              <tr>
                <td>{f.date}</td>
                <td>
                  <code>{f.payId}</code>
                </td>
                <td class='number'>{formatMinutes(f.minutes)}</td>
                <td>{f.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class='inline-form'>
        <form method='post' action={`/payroll/publish/${t.key}?${q}`}>
          <button type='submit' disabled={t.blocking.length > 0 || !props.approved}>
            Publish to {t.name}
          </button>
        </form>
        {t.canMatch && (
          <form method='post' action={`/payroll/publish/${t.key}/match?${q}`}>
            <button type='submit' class='secondary outline'>
              Match records with {t.name}
            </button>
          </form>
        )}
        {t.counts.failed > 0 && (
          <form method='post' action={`/payroll/publish/${t.key}/retry?${q}`}>
            <button type='submit' class='secondary'>
              Retry failed lines
            </button>
          </form>
        )}
      </div>
    </>
  )
}

/** Publishing the period to one integration: what blocks it, what warns, each line's state, history. */
export function PublishSection(props: { period: string; target: PublishTargetView; approved: boolean }) {
  const t = props.target
  return (
    <section class='publish-target' id={`publish-${t.key}`}>
      <h3>{t.name}</h3>
      {t.blocking.length > 0 && (
        <div class='flash flash-error' role='alert'>
          <p>Nothing is sent while these stand:</p>
          <ProblemLinks problems={t.blocking} />
        </div>
      )}
      {t.warnings.length > 0 && (
        <details>
          <summary>{t.warnings.length} warning(s)</summary>
          <ProblemLinks problems={t.warnings} />
        </details>
      )}
      {t.file ? (
        <FileExportForm period={props.period} target={t} approved={props.approved} />
      ) : (
        <LinePublishing period={props.period} target={t} approved={props.approved} />
      )}
      {t.runs.length > 0 && (
        <details>
          <summary>Publish history</summary>
          <ul>
            {t.runs.map((r) => (
              <li>
                {r.created_at.slice(0, 16).replace('T', ' ')} UTC: {r.added} new, {r.corrected} corrected, {r.removed} removed, {r.unchanged} unchanged
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}
