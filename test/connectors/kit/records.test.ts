import { describe, expect, it } from 'vitest'
import { MODULES, canonicalJson, normalizeRecord } from '../../../src/connectors/kit/records.js'

describe('normalizeRecord', () => {
  it('trims, nulls blanks, maps enum spellings, and ignores fields the module does not know', () => {
    const result = normalizeRecord(MODULES.employees, {
      first_name: ' Ana ',
      last_name: 'Silva',
      status: 'Inactive',
      pay_group: 'salaried',
      email: '',
      updated: '2026-01-01T00:00:00Z',
    })
    expect(result).toEqual({
      payload: {
        employee_number: null,
        first_name: 'Ana',
        last_name: 'Silva',
        email: null,
        phone: null,
        pay_group: 'SALARY',
        status: 'disabled',
        hire_date: null,
        company: null,
        department: null,
      },
    })
  })

  it('names each bad field', () => {
    const result = normalizeRecord(MODULES.job_sites, { number: '', name: 'X', status: 'paused', start_date: '2026-02-30', country: 'USA' })
    expect(result).toEqual({
      errors: [
        { field: 'number', message: 'Number is required' },
        { field: 'country', message: 'Country (2 letters) is longer than 2 characters' },
        { field: 'start_date', message: 'Start date "2026-02-30" is not a date (YYYY-MM-DD)' },
        { field: 'status', message: 'Status "paused" is not one of: active, archived, disabled' },
      ],
    })
  })

  it('accepts leap days only in leap years', () => {
    expect('payload' in normalizeRecord(MODULES.job_sites, { number: '1', name: 'X', start_date: '2024-02-29' })).toBe(true)
    expect('payload' in normalizeRecord(MODULES.job_sites, { number: '1', name: 'X', start_date: '2100-02-29' })).toBe(false)
    expect('payload' in normalizeRecord(MODULES.job_sites, { number: '1', name: 'X', start_date: '2000-02-29' })).toBe(true)
  })
})

describe('canonicalJson', () => {
  it('is the same whatever the key order', () => {
    const a = canonicalJson(MODULES.departments, { name: 'Field', code: 'FLD' })
    const b = canonicalJson(MODULES.departments, { code: 'FLD', name: 'Field' })
    expect(a).toBe(b)
    expect(a).toBe('{"code":"FLD","name":"Field"}')
  })
})

describe('normalizeRecord and canonicalJson agree', () => {
  it('gives a payload whose JSON is already canonical, whatever the input order', () => {
    for (const module of Object.values(MODULES)) {
      const data = Object.fromEntries(
        [...module.fields].reverse().map((f) => [f.key, f.kind === 'date' ? '2024-01-02' : f.kind === 'enum' ? Object.keys(f.options!)[0] : 'x']),
      )
      const result = normalizeRecord(module, data)
      if (!('payload' in result)) throw new Error(JSON.stringify(result))
      expect(JSON.stringify(result.payload)).toBe(canonicalJson(module, result.payload))
    }
  })
})
