/**
 * The one module that talks to the server: every request goes through `request` here.
 *
 * It adds the CSRF header to every non-GET request, sends and reads JSON, and turns the console API's
 * error envelope `{"message", "code", "extra": {"fields"}}` into a typed `ApiError` that the UI can branch
 * on (`code`) and show (`message`, `fields`).
 */

export type FieldErrors = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.extra = extra;
  }

  /** The message for one form field, if the server sent one. */
  fieldMessage(name: string): string | undefined {
    const value = this.fields[name];
    if (value == null) return undefined;
    if (Array.isArray(value)) return value.map(String).join(" ");
    return typeof value === "string" ? value : JSON.stringify(value);
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  400: "The request was not accepted.",
  401: "You are not signed in.",
  403: "You do not have permission to do this.",
  404: "It no longer exists.",
  409: "It conflicts with the current state.",
  412: "Someone else changed it in the meantime.",
  413: "The file is too large.",
  500: "The server failed. Try again later.",
  502: "The server cannot be reached.",
  503: "The service is unavailable. Try again later.",
  504: "The server took too long to answer.",
};

const STATUS_CODES: Record<number, string> = {
  400: "invalid",
  401: "not_authenticated",
  403: "permission_denied",
  404: "not_found",
  409: "conflict",
  412: "stale",
  413: "too_large",
};

/** Turns an HTTP status and a parsed body (or null when it was not JSON) into an ApiError. */
export function apiErrorFrom(status: number, body: unknown, statusText = ""): ApiError {
  const fallbackMessage = STATUS_MESSAGES[status] ?? (statusText || `The request failed (HTTP ${status}).`);
  const fallbackCode = STATUS_CODES[status] ?? (status >= 500 ? "server_error" : "error");
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const extra = b.extra && typeof b.extra === "object" ? (b.extra as Record<string, unknown>) : {};
    const fields = extra.fields && typeof extra.fields === "object" ? (extra.fields as FieldErrors) : {};
    // DRF's own shape ({"detail": ...}) in case a view escapes the handler.
    const message =
      typeof b.message === "string" && b.message
        ? b.message
        : typeof b.detail === "string" && b.detail
          ? b.detail
          : fallbackMessage;
    const code = typeof b.code === "string" && b.code ? b.code : fallbackCode;
    return new ApiError(status, code, message, fields, extra);
  }
  return new ApiError(status, fallbackCode, fallbackMessage);
}

/** A network failure (no HTTP answer at all) as an ApiError with status 0. */
export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  (err as { cause?: unknown }).cause = cause;
  return err;
}

/** The value of one cookie from a `document.cookie` string. */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The file name from a Content-Disposition header (RFC 6266, with or without filename*). */
export function fileNameFromDisposition(header: string | null, fallback = "download"): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  if (plain) return (plain[2] ?? plain[1]).trim();
  return fallback;
}

/** A query string from an object, leaving out undefined and null values. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Plain words for any error, for display. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

// ---------------------------------------------------------------------------------------------
// The browser side.

declare global {
  interface Window {
    CONSOLE?: { user?: { username: string; id: number }; csrfHeader?: string };
  }
}

function csrfHeaderName(): string {
  return (typeof window !== "undefined" && window.CONSOLE?.csrfHeader) || "X-CSRFToken";
}

function csrfToken(): string {
  return (typeof document !== "undefined" && readCookie(document.cookie, "csrftoken")) || "";
}

/** Sends the browser to the login page, coming back here afterwards. */
export function redirectToLogin(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login/?next=${encodeURIComponent(next)}`);
}

export interface RequestOptions {
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface RawResponse {
  response: Response;
  status: number;
  headers: Headers;
}

async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.form) {
    body = options.form;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (method !== "GET" && method !== "HEAD") headers[csrfHeaderName()] = csrfToken();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin", signal: options.signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw networkError(cause);
  }
  if (!response.ok) {
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    const error = apiErrorFrom(response.status, parsed, response.statusText);
    if (error.code === "not_authenticated") redirectToLogin();
    throw error;
  }
  return response;
}

export interface JsonResult<T> {
  data: T;
  status: number;
  headers: Headers;
}

/** A JSON request; resolves with the parsed body (null for 204) and the response headers. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<JsonResult<T>> {
  const response = await send(method, path, options);
  let data: unknown = null;
  if (response.status !== 204) {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  }
  return { data: data as T, status: response.status, headers: response.headers };
}

export const api = {
  get: async <T>(path: string, signal?: AbortSignal) => (await request<T>("GET", path, { signal })).data,
  post: async <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    (await request<T>("POST", path, { body: body ?? {}, headers })).data,
  put: async <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    (await request<T>("PUT", path, { body, headers })).data,
  patch: async <T>(path: string, body?: unknown) => (await request<T>("PATCH", path, { body })).data,
  delete: async <T>(path: string) => (await request<T>("DELETE", path)).data,
  upload: async <T>(path: string, form: FormData) => (await request<T>("POST", path, { form })).data,
};

export type FileOrJson<T> = { kind: "file"; blob: Blob; fileName: string } | { kind: "json"; status: number; data: T };

/**
 * A POST whose answer is either a file (a zip to save) or JSON (e.g. 202 with a task to poll).
 */
export async function postForFileOrJson<T>(path: string, body: unknown, fallbackName = "download.zip"): Promise<FileOrJson<T>> {
  const response = await send("POST", path, { body, headers: { Accept: "application/zip, application/json" } });
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("application/json")) {
    return { kind: "json", status: response.status, data: (await response.json()) as T };
  }
  const blob = await response.blob();
  return { kind: "file", blob, fileName: fileNameFromDisposition(response.headers.get("Content-Disposition"), fallbackName) };
}

/** A GET that downloads a file (e.g. an import report). */
export async function getFile(path: string, fallbackName = "download"): Promise<{ blob: Blob; fileName: string }> {
  const response = await send("GET", path, { headers: { Accept: "*/*" } });
  return { blob: await response.blob(), fileName: fileNameFromDisposition(response.headers.get("Content-Disposition"), fallbackName) };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
