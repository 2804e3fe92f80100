/**
 * The one error hierarchy actions throw. Only src/api/envelope.ts turns these into HTTP answers,
 * with CKAN's `__type` strings and status codes.
 */
export type FieldErrors = Record<string, unknown>

export class ActionError extends Error {}

/** 409 Validation Error; `fields` is CKAN's error dict (usually field → list of messages). */
export class ValidationError extends ActionError {
  constructor(readonly fields: FieldErrors) {
    super('Validation Error')
  }
  static field(name: string, message: string): ValidationError {
    return new ValidationError({ [name]: [message] })
  }
  static message(message: string): ValidationError {
    return new ValidationError({ message })
  }
}

/** 404 Not Found Error; the detail becomes "Not found: <detail>". */
export class NotFound extends ActionError {
  constructor(readonly detail?: string) {
    super(detail ?? 'Not found')
  }
}

/** 403 Authorization Error; the detail becomes "Access denied: <detail>". */
export class NotAuthorized extends ActionError {
  constructor(readonly detail?: string) {
    super(detail ?? 'Access denied')
  }
}

/** 400 Search Query Error ("Search Query is invalid: '<message>'"). */
export class SearchQueryError extends ActionError {}

/** 409 Search Error ("Search error: <message>"): a query the backend refused (CKAN's SearchError). */
export class SearchError extends ActionError {}

/** 500 Search Connection Error: the search backend is unreachable. */
export class SearchConnectionError extends ActionError {
  constructor() {
    super('Unable to connect to the search server')
  }
}

/** 503 Service Unavailable: the database cannot be reached for now (src/db/unavailable.ts). */
export class ServiceUnavailable extends ActionError {
  constructor() {
    super('The service is temporarily unavailable. Please try again in a moment.')
  }
}

/** 400 Integrity Error (CKAN's DataError: malformed nesting such as tags given as strings). */
export class IntegrityError extends ActionError {
  constructor(
    message: string,
    readonly data: unknown,
  ) {
    super(message)
  }
}

/**
 * A 400 whose body is CKAN's bare JSON string ("Bad request - …"), not an envelope:
 * unknown action, GET on a write action, undecodable JSON.
 */
export class BadRequest extends Error {
  constructor(readonly text: string) {
    super(text)
  }
}

/**
 * A request refused before any action ran, where no field applies: nesting too deep, a URL that
 * cannot be decoded, a body or header over Fastify's or Node's limits. Answered in CKAN's envelope
 * with `status` and `__type` (HTTP's reason phrase unless given), unlike BadRequest's bare strings.
 */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly type?: string,
  ) {
    super(detail)
  }
}
