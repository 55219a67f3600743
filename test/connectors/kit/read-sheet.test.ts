import { describe, expect, it } from 'vitest'
import { readSheet, SheetError } from '../../../src/connectors/kit/sheets/read-sheet.js'

const csv = (rows: number) => Buffer.from(['Id,Name', ...Array.from({ length: rows }, (_, i) => `${i + 1},Name ${i + 1}`)].join('\n'))

describe('the sheet reader kept warm between files', () => {
  it('reads file after file, refused ones included, with the same reader, and reads at the same time side by side', async () => {
    expect((await readSheet('a.csv', csv(3))).rows).toEqual([
      ['1', 'Name 1'],
      ['2', 'Name 2'],
      ['3', 'Name 3'],
    ])
    // A file the reader refuses says why, and the next file is read as well.
    await expect(readSheet('b.csv', Buffer.from('Id,Id\n1,2\n'))).rejects.toThrow(
      new SheetError('b.csv has two columns headed "Id" (columns 1 and 2); rename one.'),
    )
    await expect(readSheet('c.pdf', Buffer.from('%PDF'))).rejects.toBeInstanceOf(SheetError)
    expect((await readSheet('d.csv', csv(2500))).rows).toHaveLength(2500)
    const [one, two, three] = await Promise.all([readSheet('e.csv', csv(1200)), readSheet('f.csv', csv(5)), readSheet('g.csv', csv(1))])
    expect([one.rows.length, two.rows.length, three.rows.length]).toEqual([1200, 5, 1])
    expect(two.rows[4]).toEqual(['5', 'Name 5'])
  })

  it('inspects a long file for its sample and row count, then reads the next file whole', async () => {
    const { inspectSheet } = await import('../../../src/connectors/kit/sheets/read-sheet.js')
    const first = await inspectSheet('h.csv', csv(3000), 2)
    expect({ rows: first.rows, sample: first.sample }).toEqual({
      rows: 3000,
      sample: [
        ['1', 'Name 1'],
        ['2', 'Name 2'],
      ],
    })
    expect((await readSheet('i.csv', csv(4))).rows.at(-1)).toEqual(['4', 'Name 4'])
  })
})
