import { describe, expect, it } from 'vitest'
import { matchGolden as matchFile } from '../helpers/golden.js'
import { buildPayrollFile, DEFAULT_FILE_SETTINGS, fileProblems, type FileFormat, type FileInput } from '../../src/payroll/payroll-files.js'

// Golden files: the exact bytes each platform imports, line endings included. Reviewed by hand
// against reference/protocols.md section 5; UPDATE_GOLDEN=1 rewrites them after a deliberate change.

const golden = (name: string) => new URL(`../fixtures/payroll-files/${name}`, import.meta.url)

/** The file must match its golden copy; a missing one fails (UPDATE_GOLDEN=1 npm test -- payroll-files writes it). */
const matchGolden = (name: string, body: string) => matchFile(golden(name), body)

const ITEMS: Record<string, string> = { REG: 'Hourly Rate', OT: 'Overtime Rate', DT: 'Double Time Rate', VAC: 'Vacation Hourly' }
const ADP_CODES: Record<string, string> = { DT: 'D', VAC: 'V', SIC: 'S' }

const input = (over: Partial<FileInput> = {}): FileInput => ({
  period: { start: '2024-06-03', end: '2024-06-16' },
  frequency: 'biweekly',
  settings: {
    iif: { companyName: 'Ridgeline Builders LLC', companyCreateTime: '1405767000', employeeName: 'first-last' },
    adpWfn: { coCode: 'ab' },
    adpRun: { iid: 'AB12CD' },
    paychex: { clientId: 'Y4658815' },
  },
  itemFor: (_e, payId) => ITEMS[payId],
  employees: [
    {
      employeeId: 1,
      firstName: 'Ana',
      lastName: 'Garcia',
      number: '101',
      lines: [
        { date: '2024-06-03', payId: 'REG', minutes: 480, jobSite: 'Smith Residence:Kitchen Remodel', costCode: 'Framing', department: 'Field Crew' },
        { date: '2024-06-03', payId: 'OT', minutes: 90, jobSite: 'Smith Residence:Kitchen Remodel', costCode: 'Framing', department: 'Field Crew' },
        { date: '2024-06-04', payId: 'VAC', minutes: 480, jobSite: null, costCode: null, department: null },
      ],
    },
    {
      employeeId: 2,
      firstName: 'Ken',
      lastName: 'Ito, Jr.',
      number: '102',
      lines: [{ date: '2024-06-05', payId: 'REG', minutes: 435, jobSite: 'Harbor View', costCode: 'Drywall', department: null }],
    },
  ],
  ...over,
})

describe('payroll files, byte for byte', () => {
  const cases: [FileFormat, string, string, Partial<FileInput>][] = [
    ['iif', 'timer-activities.iif', 'timer-activities-2024-06-03-2024-06-16.iif', {}],
    ['adp-wfn', 'adp-wfn.csv', 'EPIAB_.csv', { itemFor: (_e, p) => ADP_CODES[p] }],
    ['adp-run', 'adp-run.csv', 'Biweekly-06032024-06162024.csv', { itemFor: (_e, p) => ({ REG: 'REG', OT: 'OVT', VAC: 'VAC' })[p] }],
    [
      'paychex',
      'paychex-spi.csv',
      'paychex-spi-2024-06-03-2024-06-16.csv',
      {
        itemFor: (_e, p) => ({ REG: 'Hourly', OT: 'Overtime', VAC: 'Vacation' })[p],
        employees: input().employees.map((e) => ({ ...e, lines: e.lines.map((l) => ({ ...l, jobSite: l.jobSite ? l.jobSite.slice(0, 11) : null })) })),
      },
    ],
    ['csv', 'generic.csv', 'payroll-2024-06-03-2024-06-16.csv', {}],
  ]
  for (const [format, fixture, filename, over] of cases) {
    it(`${format}: ${fixture}`, () => {
      const file = buildPayrollFile(format, input(over))
      expect(file.filename).toBe(filename)
      matchGolden(fixture, file.body)
      expect(file.body.endsWith('\r\n')).toBe(true)
      expect(file.body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    })
  }

  it('gusto: per-period totals of regular, overtime and double overtime', () => {
    const gusto = input({ employees: input().employees.map((e) => ({ ...e, lines: e.lines.filter((l) => l.payId !== 'VAC') })) })
    matchGolden('gusto.csv', buildPayrollFile('gusto', gusto).body)
  })

  it('ADP Workforce Now puts a third other-hours code on a second row of the employee', () => {
    const many = input({
      itemFor: (_e, p) => ADP_CODES[p],
      employees: [
        {
          ...input().employees[0]!,
          lines: [
            ...input().employees[0]!.lines,
            { date: '2024-06-05', payId: 'DT', minutes: 60, jobSite: null, costCode: null, department: null },
            { date: '2024-06-06', payId: 'SIC', minutes: 240, jobSite: null, costCode: null, department: null },
          ],
        },
      ],
    })
    matchGolden('adp-wfn-three-codes.csv', buildPayrollFile('adp-wfn', many).body)
  })

  it('says what stops a file, and makes none', () => {
    const bare = input({ settings: DEFAULT_FILE_SETTINGS, itemFor: () => undefined })
    expect(fileProblems('iif', bare).map((p) => p.message)).toEqual([
      'The QuickBooks company name is missing (Company > Company Information in QuickBooks)',
      'The QuickBooks company create time is missing (the number in a Timer list export of the company file)',
      'REG is not mapped to a payroll item for QuickBooks Desktop IIF (timer activities) (Garcia, Ana)',
      'OT is not mapped to a payroll item for QuickBooks Desktop IIF (timer activities) (Garcia, Ana)',
      'VAC is not mapped to a payroll item for QuickBooks Desktop IIF (timer activities) (Garcia, Ana)',
      'REG is not mapped to a payroll item for QuickBooks Desktop IIF (timer activities) (Ito, Jr., Ken)',
    ])
    expect(fileProblems('gusto', input()).map((p) => p.message)).toEqual([
      "Garcia, Ana has VAC hours; Gusto's hours file takes regular, overtime and double overtime only",
    ])
    expect(
      fileProblems('adp-wfn', input({ employees: [{ ...input().employees[0]!, number: 'A-17' }], itemFor: (_e, p) => ADP_CODES[p] })).map((p) => p.message),
    ).toEqual(["Garcia, Ana's employee number A-17 is not an ADP file number (up to 6 digits)"])
    expect(() => buildPayrollFile('paychex', bare)).toThrow(/cannot be made/)
    expect(fileProblems('paychex', input({ itemFor: () => 'Hourly' })).map((p) => p.message)).toEqual([
      'Job site Smith Residence:Kitchen Remodel is longer than the 25 characters of a Paychex job number (Garcia, Ana)',
    ])
  })
})
