// A QuickBooks Online company for the simulator: generated employees, vendors, customers and jobs,
// items, classes and departments with Intuit's field names, a change log for Change Data Capture,
// and time activities. Everything is plain data; the HTTP side is in server.ts.

import { sharedEmail } from '../../kit/simulated-company.js'

export type QboEntity = 'Employee' | 'Vendor' | 'Customer' | 'Item' | 'Class' | 'Department' | 'TimeActivity'
export type QboObject = Record<string, unknown> & { Id: string; SyncToken: string; MetaData: { CreateTime: string; LastUpdatedTime: string } }

const FIRST = ['Emily', 'Carlos', 'Hana', 'Marcus', 'Ines', 'Peter', 'Zoe', 'Andre', 'Mei', 'Noah', 'Rosa', 'Victor', 'Yara', 'Ben', 'Lila', 'Theo']
const LAST = ['Platt', 'Mendez', 'Sato', 'Reed', 'Costa', 'Novak', 'Hughes', 'Dias', 'Chen', 'Wolfe', 'Ortiz', 'Lund', 'Farah', 'Keller', 'Moreau', 'Banks']
const SERVICES = ['Framing', 'Drywall', 'Electrical', 'Plumbing', 'Roofing', 'Concrete', 'Painting', 'Site Prep']

export type QboCompanyOptions = { employees?: number; customers?: number; realmId?: string; companyName?: string }

export class QboCompany {
  readonly realmId: string
  readonly companyName: string
  readonly objects = new Map<QboEntity, QboObject[]>()
  /** Deleted objects, as CDC reports them. */
  readonly deleted: { entity: QboEntity; Id: string; at: string }[] = []
  private nextId = 1
  private readonly byId = new Map<string, QboObject>()

  constructor(opts: QboCompanyOptions = {}) {
    this.realmId = opts.realmId ?? '9130357992221046'
    this.companyName = opts.companyName ?? 'Harbor Line Construction'
    for (const e of ['Employee', 'Vendor', 'Customer', 'Item', 'Class', 'Department', 'TimeActivity'] as const) this.objects.set(e, [])
    this.generate(opts.employees ?? 20, opts.customers ?? 6)
  }

  private generate(employees: number, customers: number) {
    const created = '2024-01-10T09:00:00-08:00'
    for (const name of ['Field Crew', 'Office', 'Shop']) this.add('Class', { Name: name, FullyQualifiedName: name, SubClass: false, Active: true }, created)
    for (const name of ['North Yard', 'South Yard'])
      this.add('Department', { Name: name, FullyQualifiedName: name, SubDepartment: false, Active: true }, created)
    for (const name of SERVICES)
      this.add('Item', { Name: name, FullyQualifiedName: name, Description: `${name} labor`, Type: 'Service', Active: true, UnitPrice: 0 }, created)
    this.add('Item', { Name: 'Lumber 2x4', FullyQualifiedName: 'Lumber 2x4', Type: 'Inventory', Active: true }, created)
    for (const name of ['Pacific Concrete', 'Summit Electric', 'Baylight Roofing'])
      this.add('Vendor', { DisplayName: name, CompanyName: name, Active: true }, created)
    for (let i = 0; i < customers; i++) {
      const name = `${LAST[i % LAST.length]} Residence${i >= LAST.length ? ` ${i}` : ''}`
      const customer = this.add(
        'Customer',
        {
          DisplayName: name,
          FullyQualifiedName: name,
          Job: false,
          Level: 0,
          Active: true,
          ShipAddr: { Line1: `${100 + i} Harbor Way`, City: 'Oakland', CountrySubDivisionCode: 'CA', PostalCode: '94607', Country: 'US' },
        },
        created,
      )
      if (i % 2 === 0)
        this.add(
          'Customer',
          {
            DisplayName: 'Kitchen Remodel',
            FullyQualifiedName: `${name}:Kitchen Remodel`,
            Job: true,
            Level: 1,
            ParentRef: { value: customer.Id },
            Active: true,
          },
          created,
        )
    }
    for (let i = 0; i < employees; i++) {
      const first = FIRST[i % FIRST.length]!
      const last = `${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ''}`
      this.add(
        'Employee',
        {
          GivenName: first,
          FamilyName: last,
          DisplayName: `${first} ${last}`,
          PrintOnCheckName: `${first} ${last}`,
          EmployeeNumber: String(2001 + i),
          PrimaryEmailAddr: { Address: sharedEmail(i) ?? `${first}.${last}@example.com`.toLowerCase() },
          Active: i % 17 !== 16,
          HiredDate: '2023-04-03',
          BillableTime: false,
        },
        created,
      )
    }
  }

  private add(entity: QboEntity, fields: Record<string, unknown>, at: string, id?: string): QboObject {
    const obj = {
      ...fields,
      Id: id ?? String(this.nextId++),
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      MetaData: { CreateTime: at, LastUpdatedTime: at },
    } as QboObject
    this.objects.get(entity)!.push(obj)
    this.byId.set(`${entity}:${obj.Id}`, obj)
    return obj
  }

  /** Adds an object now (tests change the company between syncs). */
  create(entity: QboEntity, fields: Record<string, unknown>, id?: string): QboObject {
    return this.add(entity, fields, qboTime(), id)
  }

  get(entity: QboEntity, id: string): QboObject | undefined {
    return this.byId.get(`${entity}:${id}`)
  }

  /** Changes an object now: a new SyncToken and LastUpdatedTime, as QuickBooks does. */
  update(entity: QboEntity, id: string, changes: Record<string, unknown>): QboObject {
    const obj = this.get(entity, id)
    if (!obj) throw new Error(`No ${entity} ${id}`)
    Object.assign(obj, changes)
    obj.SyncToken = String(Number(obj.SyncToken) + 1)
    obj.MetaData = { ...obj.MetaData, LastUpdatedTime: qboTime() }
    return obj
  }

  remove(entity: QboEntity, id: string): void {
    const list = this.objects.get(entity)!
    const at = list.findIndex((o) => o.Id === id)
    if (at < 0) throw new Error(`No ${entity} ${id}`)
    list.splice(at, 1)
    this.byId.delete(`${entity}:${id}`)
    this.deleted.push({ entity, Id: id, at: qboTime() })
  }
}

/** Intuit writes times with the company's offset; the simulator's company is on UTC. */
export const qboTime = (ms = Date.now()) => new Date(ms).toISOString().replace('Z', '+00:00')
