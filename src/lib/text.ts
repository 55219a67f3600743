// Characters that no field of ours may hold, and that the files and XML we write must never carry:
// NUL and the other C0 controls except tab, line feed and carriage return; DEL and the C1 controls;
// a lone half of a surrogate pair (not a character at all, and not encodable as UTF-8).

const UNPRINTABLE_SOURCE =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]'
const UNPRINTABLE_ONE = new RegExp(UNPRINTABLE_SOURCE)
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE_SOURCE, 'g')

/** Whether the text holds a control character (other than tab and line breaks) or a lone surrogate. */
export const hasUnprintable = (text: string) => UNPRINTABLE_ONE.test(text)

/** The text without control characters (tab and line breaks stay) and lone surrogates: for every writer of files and XML. */
export const stripUnprintable = (text: string) => (UNPRINTABLE_ONE.test(text) ? text.replace(UNPRINTABLE_ALL, '') : text)
