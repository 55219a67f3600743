import { z } from 'zod'

// The Setup settings of QuickBooks Desktop, and the ids that never change.

export const QBD_ID = 'quickbooks-desktop'

/** One GUID for the Clockbridge application (the QWC file's OwnerID); never per customer. */
export const QBD_OWNER_ID = '{6C1F3E52-8B1D-4C7A-9E0B-C10C6B41D6E1}'

export const qbdSettingsSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1, 'Enter the user name the Web Connector signs in with')
    .max(80, 'At most 80 characters')
    .regex(/^[\w.@-]+$/, 'Letters, digits, dots, dashes, @ and underscores only')
    .default('clockbridge'),
  runEveryMinutes: z.coerce
    .number({ message: 'Enter a number of minutes' })
    .int('Enter a whole number of minutes')
    .min(1, 'At least 1 minute')
    .max(1440, 'At most 1440 minutes (a day)')
    .default(15),
  companyFile: z.string().trim().max(260, 'At most 260 characters').default(''),
})

export type QbdSettings = z.output<typeof qbdSettingsSchema>

/** The saved settings, with defaults for what was never saved. */
export function qbdSettings(saved: unknown): QbdSettings {
  const parsed = qbdSettingsSchema.safeParse(saved ?? {})
  return parsed.success ? parsed.data : qbdSettingsSchema.parse({})
}
