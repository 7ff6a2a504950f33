// Reads the answer of `/status` (Nginx → the API's `/actuator/health/readiness`) into what the badge shows.

export type Health = 'up' | 'api-down' | 'db-down' | 'degraded' | 'checking';

export interface StatusReading {
  health: Health;
  /** Short text for the badge. */
  label: string;
  /** One sentence for the tooltip and screen readers. */
  detail: string;
}

interface ActuatorHealth {
  status: string;
  components?: Record<string, { status?: string }>;
}

function isActuatorHealth(value: unknown): value is ActuatorHealth {
  if (typeof value !== 'object' || value === null) return false;
  const status = (value as { status?: unknown }).status;
  // A problem document also has a "status", but a number: only Spring's health JSON has a string.
  return typeof status === 'string';
}

export const CHECKING: StatusReading = {
  health: 'checking',
  label: 'Checking…',
  detail: 'Checking the API and the database.',
};

const API_DOWN: StatusReading = {
  health: 'api-down',
  label: 'API down',
  detail: 'The API is not answering. Changes cannot be saved until it is back.',
};

/**
 * `body` is the parsed JSON (or null). A 502/503/504 from Nginx is a problem document (numeric status),
 * whereas the API's own 503 is Spring's health JSON: that is how the two are told apart.
 */
export function interpretStatus(httpStatus: number, body: unknown): StatusReading {
  if (!isActuatorHealth(body)) return API_DOWN;
  const overall = body.status.toUpperCase();
  const db = body.components?.['db']?.status?.toUpperCase();
  if (httpStatus >= 200 && httpStatus < 300 && overall === 'UP') {
    return { health: 'up', label: 'All systems up', detail: 'The API and the database are up.' };
  }
  if (db !== undefined && db !== 'UP') {
    return {
      health: 'db-down',
      label: 'Database down',
      detail: 'The API is running but cannot reach the database.',
    };
  }
  return {
    health: 'degraded',
    label: 'API not ready',
    detail: `The API reports ${overall}. It may be starting or shutting down.`,
  };
}

/** Fetches `/status` once; never throws. */
export async function readStatus(
  fetchImpl: typeof fetch = (i, o) => fetch(i, o),
): Promise<StatusReading> {
  let response: Response;
  try {
    response = await fetchImpl('/status', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    return API_DOWN;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return interpretStatus(response.status, body);
}
