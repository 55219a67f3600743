import type { Child } from 'hono/jsx'
import type { ListParams } from '../../src/lib/list-params.js'
import type { Page } from '../../src/lib/list-params.js'
import { FormError, HtmxForm, type FormState } from '../components/form-fields.js'
import { DetailList, ListResults, ListToolbar, PageHeader, type Column, type ListFilter } from '../components/list-view.js'

export type RecordNoun = { one: string; many: string; title: string }

export function RecordListPage<T>(props: {
  basePath: string
  noun: RecordNoun
  params: ListParams
  page: Page<T>
  columns: Column<T>[]
  filters: ListFilter[]
  createAllowed: boolean
  createHint?: string
}) {
  return (
    <>
      <PageHeader title={props.noun.title}>
        {props.createAllowed && (
          <a href={`${props.basePath}/new`} role='button'>
            New {props.noun.one}
          </a>
        )}
        {props.createHint && <small class='muted'>{props.createHint}</small>}
      </PageHeader>
      <ListToolbar basePath={props.basePath} params={props.params} filters={props.filters} searchLabel={`Search ${props.noun.many}`} />
      <ListResults basePath={props.basePath} params={props.params} page={props.page} columns={props.columns} noun={props.noun} />
    </>
  )
}

export function RecordForm(props: { id: string; action: string; form: FormState; fields: Child; submitLabel: string; cancelHref: string }) {
  return (
    <HtmxForm action={props.action} id={props.id} class='record-form'>
      <FormError form={props.form} />
      {props.form.managed && !props.form.errors._form && (
        <p class='flash flash-info' role='note'>
          Synced from <a href={props.form.managed.href}>{props.form.managed.by}</a>: the fields it sends are read-only here. Change them there, then SYNC and
          IMPORT; the others are yours to edit.
        </p>
      )}
      {props.fields}
      <div class='form-actions'>
        <button type='submit'>{props.submitLabel}</button>
        <a href={props.cancelHref} class='secondary'>
          Cancel
        </a>
      </div>
    </HtmxForm>
  )
}

export function RecordFormPage(props: { title: string; breadcrumb: { href: string; label: string }; children?: Child }) {
  return (
    <>
      <PageHeader title={props.title} breadcrumb={props.breadcrumb} />
      {props.children}
    </>
  )
}

export function RecordDetailPage(props: { title: string; breadcrumb: { href: string; label: string }; items: [string, Child][]; editHref: string | null }) {
  return (
    <>
      <PageHeader title={props.title} breadcrumb={props.breadcrumb}>
        {props.editHref && (
          <a href={props.editHref} role='button'>
            Edit
          </a>
        )}
      </PageHeader>
      <DetailList items={props.items} />
    </>
  )
}
