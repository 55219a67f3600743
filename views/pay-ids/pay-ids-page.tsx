/** A pay ID as the page lists it: fixed ones come with the product, leave ones are added by admins. */
export type PayIdView = { id: number; code: string; name: string; kind: 'fixed' | 'leave' }
import { Field, FormError, HtmxForm, type FormState } from '../components/form-fields.js'
import { PageHeader } from '../components/list-view.js'

export function PayIdForm(props: { form: FormState; action: string; editing?: string }) {
  return (
    <HtmxForm action={props.action} id='pay-id-form'>
      {props.editing && <h2>Edit leave pay ID {props.editing}</h2>}
      <FormError form={props.form} />
      <div class='grid'>
        <Field form={props.form} name='code' label='Code' required maxlength={12} />
        <Field form={props.form} name='name' label='Name' required maxlength={100} />
      </div>
      <button type='submit'>{props.editing ? 'Save changes' : 'Add leave pay ID'}</button>
    </HtmxForm>
  )
}

function PayIdTable(props: { rows: PayIdView[]; canManage: boolean; leave: boolean }) {
  return (
    <table class='striped'>
      <thead>
        <tr>
          <th scope='col'>Code</th>
          <th scope='col'>Name</th>
          {props.leave && props.canManage && <th scope='col'>Actions</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((p) => (
          <tr>
            <td>
              <code>{p.code}</code>
            </td>
            <td>{p.name}</td>
            {props.leave && props.canManage && (
              <td class='row-actions'>
                <a href={`/pay-ids/${p.id}/edit`}>Edit</a>
                {p.code !== 'VAC' && (
                  <form method='post' action={`/pay-ids/${p.id}/delete`} class='inline'>
                    <button type='submit' class='secondary outline small' hx-post={`/pay-ids/${p.id}/delete`} hx-confirm={`Remove the leave pay ID ${p.code}?`}>
                      Remove
                    </button>
                  </form>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function PayIdsPage(props: { payIds: PayIdView[]; canManage: boolean; form: FormState }) {
  return (
    <>
      <PageHeader title='Pay IDs' />
      <p>Clockbridge's own earning codes. Payroll item mapping turns each into the pay code of the platform that receives payroll.</p>
      <h2>Fixed</h2>
      <p class='muted'>Worked-time codes set by the pay policy; they cannot be edited.</p>
      <PayIdTable rows={props.payIds.filter((p) => p.kind === 'fixed')} canManage={props.canManage} leave={false} />
      <h2>Leave</h2>
      <PayIdTable rows={props.payIds.filter((p) => p.kind === 'leave')} canManage={props.canManage} leave={true} />
      {props.canManage && <PayIdForm form={props.form} action='/pay-ids' />}
    </>
  )
}
