import type { FieldSpec, ModuleId } from '../records.js'
import { MODULES } from '../records.js'
import type { UploadSpec } from '../types.js'

/** Which file column feeds the external id and each module field (null: not mapped). */
export type ColumnMapping = { externalId: string | null; fields: Record<string, string | null> }

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')

/** A first guess from the headings: "Employee #", "employee_number" and "EmployeeNumber" all match. */
function guessMapping(headers: string[], fields: FieldSpec[], presets: Record<string, string[]> = {}, idFromColumns = false): ColumnMapping {
  const byKey = new Map(headers.map((h) => [squash(h), h]))
  const find = (...names: string[]) => names.map((n) => byKey.get(squash(n))).find(Boolean) ?? null
  const mapping: ColumnMapping = { externalId: idFromColumns ? null : find('external id', 'externalid', 'id', 'list id', 'listid', 'record id'), fields: {} }
  for (const f of fields) mapping.fields[f.key] = find(...(presets[f.key] ?? []), f.key, f.label, f.label.replace(/\s*\(.*\)$/, ''))
  return mapping
}

/** What a file-based connector's files are mapped onto for a module: its own columns, or the module's fields. */
export function uploadColumns(spec: UploadSpec, module: ModuleId): FieldSpec[] {
  return spec.columns?.(module) ?? MODULES[module].fields
}

/** The first guess of a mapping for a connector's upload. */
export function guessUploadMapping(spec: UploadSpec, module: ModuleId, headers: string[]): ColumnMapping {
  return guessMapping(headers, uploadColumns(spec, module), spec.presets?.(module), spec.idFromColumns)
}

/** Every problem with a mapping against a file's headings and the module's required fields. */
function mappingProblems(mapping: ColumnMapping, headers: string[], fields: FieldSpec[], filename: string, idFromColumns = false): string[] {
  const problems: string[] = []
  const has = new Set(headers)
  if (!idFromColumns && !mapping.externalId) problems.push('Choose the column that holds the external id (a value that never changes for a record).')
  else if (!idFromColumns && !has.has(mapping.externalId!)) problems.push(`Column "${mapping.externalId}" (external id) is not in ${filename}.`)
  for (const f of fields) {
    const column = mapping.fields[f.key]
    if (!column) {
      if (f.required) problems.push(`Choose the column for ${f.label}; it is required.`)
    } else if (!has.has(column)) {
      problems.push(`Column "${column}" (mapped to ${f.label}) is not in ${filename}; its columns are: ${headers.join(', ')}.`)
    }
  }
  return problems
}

/** The problems of a mapping for a connector's upload. */
export function uploadMappingProblems(spec: UploadSpec, module: ModuleId, mapping: ColumnMapping, headers: string[], filename: string): string[] {
  return mappingProblems(mapping, headers, uploadColumns(spec, module), filename, spec.idFromColumns)
}
