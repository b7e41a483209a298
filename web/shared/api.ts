// Calls to the HTTP API with the signed-in person's bearer token, and its errors as the contract gives them
// (`{ error: { code, message, details } }`). The API's authorization is the only authorization there is: the pages
// show what it answers.
import { showError } from './messages.js';
import { readToken } from './token.js';

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code?: string;
  readonly details: ApiErrorDetail[];

  constructor(status: number, message: string, details: ApiErrorDetail[] = [], code?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
    if (code !== undefined) this.code = code;
  }
}

export interface ApiCallOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  body?: unknown;
  /** `application/json` unless given. */
  accept?: string;
  headers?: Record<string, string>;
}

/** Relative to this page, so the API is found under a stage prefix (/dev/audit → /dev/requests) as well. */
export const apiUrl = (path: string): string => new URL(path, location.href).href;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const detailsOf = (value: unknown): ApiErrorDetail[] =>
  Array.isArray(value)
    ? value.map((detail: unknown) =>
        isRecord(detail)
          ? { path: typeof detail.path === 'string' ? detail.path : '', message: String(detail.message) }
          : { path: '', message: String(detail) },
      )
    : [];

/** The error a non-2xx answer stands for: the contract's message, code and details, else the status line. */
const errorOf = async (response: Response): Promise<ApiError> => {
  let message = `The API answered HTTP ${response.status}.`;
  try {
    const body: unknown = await response.json();
    if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
      const code = typeof body.error.code === 'string' ? body.error.code : undefined;
      return new ApiError(response.status, body.error.message, detailsOf(body.error.details), code);
    }
    if (isRecord(body) && typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, message);
};

/** The response to a call with the session's token; a non-2xx answer throws its ApiError. */
export const callApi = async (path: string, init: ApiCallOptions = {}): Promise<Response> => {
  const headers: Record<string, string> = {
    authorization: `Bearer ${readToken() ?? ''}`,
    accept: init.accept ?? 'application/json',
    ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...init.headers,
  };
  const response = await fetch(apiUrl(path), {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    // The answers depend on who asks and change as requests move: never from a cache, never with cookies.
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) throw await errorOf(response);
  return response;
};

/** The JSON body of a call. The type is the API's contract, not checked here. */
export const callJson = async <T>(path: string, init?: ApiCallOptions): Promise<T> =>
  (await (await callApi(path, init)).json()) as T;

const DEFAULT_TITLES: Readonly<Record<number, string>> = {
  401: 'Please sign in again',
  403: 'Not allowed',
  404: 'Not found',
};

/**
 * Shows why a call failed: an API answer with its title, message and details; 401 signs the person out (the token
 * was refused or has expired); anything else as the API being out of reach.
 */
export const showFailure = (
  error: unknown,
  handlers: { signOut(message: string): void; titles?: Readonly<Record<number, string>> },
): void => {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      handlers.signOut('Your sign-in was refused or has expired. Sign in again to continue.');
      return;
    }
    const title = handlers.titles?.[error.status] ?? DEFAULT_TITLES[error.status] ?? 'The request failed';
    showError(title, `${error.message} (HTTP ${error.status})`, error.details);
    return;
  }
  showError('Could not reach the API', error instanceof Error && error.message ? error.message : String(error));
};
