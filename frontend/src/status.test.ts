import { describe, expect, it, vi } from 'vitest';
import { interpretStatus, readStatus } from './status';

describe('interpretStatus', () => {
  it('is up when readiness is UP', () => {
    const body = {
      status: 'UP',
      components: { db: { status: 'UP' }, readinessState: { status: 'UP' } },
    };
    expect(interpretStatus(200, body).health).toBe('up');
  });

  it('says the database is down when readiness is DOWN because of the db', () => {
    const body = {
      status: 'DOWN',
      components: { db: { status: 'DOWN' }, readinessState: { status: 'UP' } },
    };
    expect(interpretStatus(503, body)).toMatchObject({ health: 'db-down', label: 'Database down' });
  });

  it('says the API is not ready when it is DOWN for another reason', () => {
    const body = { status: 'OUT_OF_SERVICE', components: { db: { status: 'UP' } } };
    expect(interpretStatus(503, body).health).toBe('degraded');
    expect(interpretStatus(503, { status: 'DOWN' }).health).toBe('degraded');
  });

  it('says the API is down when Nginx answers with a problem document', () => {
    const problem = {
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'The API is not reachable.',
    };
    expect(interpretStatus(502, problem)).toMatchObject({ health: 'api-down', label: 'API down' });
    expect(interpretStatus(503, { ...problem, status: 503 }).health).toBe('api-down');
    expect(interpretStatus(504, null).health).toBe('api-down');
  });
});

describe('readStatus', () => {
  it('says the API is down when the request fails', async () => {
    const fetchImpl = vi.fn<typeof fetch>(() => Promise.reject(new TypeError('Failed to fetch')));
    expect((await readStatus(fetchImpl)).health).toBe('api-down');
  });

  it('asks /status without caching', async () => {
    const fetchImpl = vi.fn<typeof fetch>(() =>
      Promise.resolve(new Response('{"status":"UP"}', { status: 200 })),
    );
    expect((await readStatus(fetchImpl)).health).toBe('up');
    expect(fetchImpl).toHaveBeenCalledWith(
      '/status',
      expect.objectContaining({ cache: 'no-store' }),
    );
  });

  it('treats a body that is not JSON as the API being down', async () => {
    const fetchImpl = vi.fn<typeof fetch>(() =>
      Promise.resolve(new Response('<html></html>', { status: 502 })),
    );
    expect((await readStatus(fetchImpl)).health).toBe('api-down');
  });
});
