// A searchable employee choice that never lists the whole company: typing in the search box asks
// the server for a few matches (htmx), which replace the select's options. Without JavaScript the
// select still offers the first matches and the current choice.

export type PickerOption = { value: string; label: string }

export function PickerOptions(props: { options: PickerOption[]; selected: string; empty: string }) {
  return (
    <>
      <option value=''>{props.empty}</option>
      {props.options.map((o) => (
        <option value={o.value} selected={o.value === props.selected}>
          {o.label}
        </option>
      ))}
    </>
  )
}

export function EmployeePicker(props: {
  id: string
  name: string
  label: string
  options: PickerOption[]
  selected: string
  empty: string
  required?: boolean
  error?: string
  selectAttributes?: Record<string, string>
}) {
  const search = `${props.id}-search`
  const url = `/employees/choices?${new URLSearchParams({ selected: props.selected, empty: props.empty })}`
  return (
    <div class='field employee-picker'>
      <label for={props.id}>
        {props.label}
        {props.required ? ' *' : ''}
      </label>
      <input
        type='search'
        id={search}
        name='employee_search'
        placeholder='Search by name or number'
        aria-label='Find by name or number'
        autocomplete='off'
        aria-controls={props.id}
        hx-get={url}
        hx-trigger='input changed delay:250ms'
        hx-include='this'
        hx-target={`#${props.id}`}
        hx-swap='innerHTML'
      />
      <select
        id={props.id}
        name={props.name}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={`${props.id}-help`}
        {...(props.selectAttributes ?? {})}
      >
        <PickerOptions options={props.options} selected={props.selected} empty={props.empty} />
      </select>
      <small id={`${props.id}-help`} class={props.error ? 'field-error' : 'muted'}>
        {props.error ?? 'Type part of a name or number to find others.'}
      </small>
    </div>
  )
}
