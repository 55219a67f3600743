import type { Context } from 'hono'
import type { z } from 'zod'
import { validateForm, type FormResult, type FormValues } from '../lib/validation.js'

/** Reads an urlencoded or multipart form as strings (the last value wins for repeated names). */
export async function readFormValues(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody()
  const values: FormValues = {}
  for (const [key, value] of Object.entries(body)) {
    const v = Array.isArray(value) ? value[value.length - 1] : value
    if (typeof v === 'string') values[key] = v
  }
  return values
}

/** Validates the submitted form; on failure every field gets its first message and values are kept. */
export async function readForm<S extends z.ZodType>(c: Context, schema: S): Promise<FormResult<z.output<S>>> {
  const values = await readFormValues(c)
  return validateForm(schema, values)
}
