import { z } from 'zod'
import { isCalendarDate } from './dates.js'

// Validating what a user typed (a form, an API body, a command line) with zod: every field gets
// its first message and the values are kept, so the form can be shown again as it was.

export type FormValues = Record<string, string>
export type FieldErrors = Record<string, string>

export type FormResult<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues }

export function validateForm<S extends z.ZodType>(schema: S, values: FormValues): FormResult<z.output<S>> {
  const result = schema.safeParse(values)
  if (result.success) return { ok: true, data: result.data, values }
  return { ok: false, errors: firstErrors(result.error), values }
}

function firstErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '_form'
    errors[key] ??= issue.message
  }
  return errors
}

// Field schemas shared by every form: values arrive as strings, blanks mean "not given".

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

export const field = {
  required: (label: string, max = 200) =>
    z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() : v),
      z
        .string({ error: `${label} is required` })
        .min(1, `${label} is required`)
        .max(max, `${label} must be at most ${max} characters`),
    ),
  optional: (label: string, max = 200) =>
    z
      .preprocess((v) => blankToUndefined(typeof v === 'string' ? v.trim() : v), z.string().max(max, `${label} must be at most ${max} characters`).optional())
      .transform((v) => v ?? null),
  email: (label = 'Email') =>
    z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.email({ error: `${label} must be an email address such as name@example.com` }).max(254),
    ),
  optionalEmail: (label = 'Email') =>
    z
      .preprocess(
        (v) => blankToUndefined(typeof v === 'string' ? v.trim().toLowerCase() : v),
        z
          .email({ error: `${label} must be an email address such as name@example.com` })
          .max(254)
          .optional(),
      )
      .transform((v) => v ?? null),
  optionalDate: (label: string) =>
    z
      .preprocess(
        blankToUndefined,
        z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date (YYYY-MM-DD)`)
          .refine(isCalendarDate, `${label} is not a real calendar date`)
          .optional(),
      )
      .transform((v) => v ?? null),
  optionalId: (label: string) =>
    z
      .preprocess(
        blankToUndefined,
        z.coerce
          .number({ error: `Choose a valid ${label}` })
          .int()
          .positive(`Choose a valid ${label}`)
          .optional(),
      )
      .transform((v) => v ?? null),
  choice: <T extends readonly [string, ...string[]]>(label: string, options: T) => z.enum(options, { error: `${label} must be one of: ${options.join(', ')}` }),
  checkbox: () => z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean()),
}
