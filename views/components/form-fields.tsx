import type { Child } from 'hono/jsx'
type FormValues = Record<string, string>
type FieldErrors = Record<string, string>

/**
 * The fields a record's sync source owns: shown read-only, saying who manages them and where. `kept`:
 * those an admin keeps here instead (editable, with Release); `actions`: where Keep my value and
 * Release post, as `${actions}/${field}/keep` (none for someone who may not change them).
 */
export type ManagedFields = { by: string; href: string; fields: readonly string[]; kept?: readonly string[]; actions?: string }

/** The form the Keep my value and Release buttons submit (their own, outside the record's form). */
export const FIELD_OVERRIDE_FORM = 'field-override-form'

export type FormState = { values: FormValues; errors: FieldErrors; managed?: ManagedFields }

/** Who manages the field, when its source does and it is not kept here. */
const managerOf = (form: FormState, name: string) => (form.managed?.fields.includes(name) && !form.managed.kept?.includes(name) ? form.managed : undefined)
const keeperOf = (form: FormState, name: string) => (form.managed?.kept?.includes(name) ? form.managed : undefined)

export const emptyForm = (values: FormValues = {}): FormState => ({ values, errors: {} })

type FieldProps = {
  form: FormState
  name: string
  label: string
  type?: 'text' | 'email' | 'password' | 'date' | 'tel' | 'number'
  required?: boolean
  autocomplete?: string
  hint?: string
  maxlength?: number
}

/** A labelled input with its error beside it; the submitted value is kept on a failed submit. */
export function Field(props: FieldProps) {
  const error = props.form.errors[props.name]
  const id = `field-${props.name}`
  const managed = managerOf(props.form, props.name)
  return (
    <FieldFrame id={id} name={props.name} label={props.label} required={props.required} error={error} hint={props.hint} form={props.form}>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? '' : (props.form.values[props.name] ?? '')}
        readonly={managed ? true : undefined}
        required={props.required}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error || props.hint ? `${id}-help` : undefined}
      />
    </FieldFrame>
  )
}

export function SelectField(props: {
  form: FormState
  name: string
  label: string
  options: { value: string; label: string }[]
  required?: boolean
  hint?: string
}) {
  const error = props.form.errors[props.name]
  const id = `field-${props.name}`
  const current = props.form.values[props.name] ?? ''
  const managed = managerOf(props.form, props.name)
  return (
    <FieldFrame id={id} name={props.name} label={props.label} required={props.required} error={error} hint={props.hint} form={props.form}>
      {/* A disabled select sends nothing: its value goes along hidden, unchanged. */}
      {managed && <input type='hidden' name={props.name} value={current} />}
      <select
        id={id}
        name={managed ? undefined : props.name}
        required={props.required}
        disabled={managed ? true : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={`${id}-help`}
      >
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  )
}

/** The required Status choice of a record, from its statuses and their labels. */
export function StatusField(props: { form: FormState; statuses: Record<string, string> }) {
  const options = Object.entries(props.statuses).map(([value, label]) => ({ value, label }))
  return <SelectField form={props.form} name='status' label='Status' required options={options} />
}

/** Label above the control, hint or error below it (or who manages it), tied together for screen readers. */
function FieldFrame(props: { id: string; name: string; label: string; required?: boolean; error?: string; hint?: string; form: FormState; children?: Child }) {
  const managed = managerOf(props.form, props.name)
  const kept = keeperOf(props.form, props.name)
  const button = (action: 'keep' | 'release', text: string, manager: ManagedFields) =>
    manager.actions && (
      <button
        type='submit'
        form={FIELD_OVERRIDE_FORM}
        formaction={`${manager.actions}/${props.name}/${action}`}
        class='linklike field-override-button'
        aria-label={`${text}: ${props.label}`}
      >
        {text}
      </button>
    )
  return (
    <div class='field'>
      <label for={props.id}>
        {props.label}
        {props.required && <span aria-hidden='true'> *</span>}
      </label>
      {props.children}
      {managed && !props.error ? (
        <small id={`${props.id}-help`} class='managed-by'>
          Managed by <a href={managed.href}>{managed.by}</a>
          {button('keep', 'Keep my value', managed)}
        </small>
      ) : kept && !props.error ? (
        <small id={`${props.id}-help`} class='kept-here'>
          Kept here: {kept.by} no longer changes it
          {button('release', `Release to ${kept.by}`, kept)}
        </small>
      ) : (
        <FieldHelp id={`${props.id}-help`} error={props.error} hint={props.hint} />
      )}
    </div>
  )
}

export function CheckboxField(props: { form: FormState; name: string; label: string; hint?: string }) {
  const checked = ['on', 'true', '1'].includes(props.form.values[props.name] ?? '')
  const id = `field-${props.name}`
  return (
    <div class='checkbox-field'>
      <label for={id}>
        <input type='checkbox' id={id} name={props.name} role='switch' checked={checked} aria-describedby={`${id}-help`} />
        {props.label}
      </label>
      <FieldHelp id={`${id}-help`} error={props.form.errors[props.name]} hint={props.hint} />
    </div>
  )
}

function FieldHelp(props: { id: string; error?: string; hint?: string }) {
  if (props.error)
    return (
      <small id={props.id} class='field-error'>
        {props.error}
      </small>
    )
  if (props.hint) return <small id={props.id}>{props.hint}</small>
  return null
}

/** An error about the whole form, not one field. */
export function FormError(props: { form: FormState }) {
  const error = props.form.errors._form
  return error ? (
    <p class='flash flash-error' role='alert'>
      {error}
    </p>
  ) : null
}

/**
 * A form that posts with htmx and swaps itself: a 422 answer brings it back with errors, success
 * navigates with HX-Redirect. Without JavaScript it is a plain form with the same behaviour.
 */
export function HtmxForm(props: { action: string; id: string; children?: Child; class?: string }) {
  return (
    <form
      id={props.id}
      method='post'
      action={props.action}
      hx-post={props.action}
      hx-target='this'
      hx-swap='outerHTML'
      hx-disable='find button[type=submit]'
      class={props.class}
      novalidate
    >
      {props.children}
    </form>
  )
}
