/** The read API (docs/dashboard.md "API") with the read token kept in sessionStorage. */

const TOKEN_KEY = 'vigil-read-token';

export class Unauthorized extends Error {}

/** Takes `#token=…` from the URL (what `npm run demo` prints) into sessionStorage, and removes it from the address bar. */
export function adoptTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

function headers(): HeadersInit {
  return { authorization: `Bearer ${token() ?? ''}` };
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: headers() });
  if (response.status === 401) throw new Unauthorized(((await response.json()) as { message?: string }).message ?? 'unauthorized');
  if (!response.ok) throw new Error(`${response.status}: ${((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.statusText}`);
  return (await response.json()) as T;
}

export interface LiveChange {
  snapshots: boolean;
  incidents: boolean;
  alerts: { alertId: string; modelId: string; version: string; rule: string; severity: string; observedAt: string; message: string }[];
}

/**
 * Reads the server-sent event stream with fetch (EventSource cannot send the bearer token)
 * and reconnects after a drop; `onState` reports whether the stream is open.
 */
export function subscribeLive(onChange: (change: LiveChange) => void, onState: (open: boolean) => void): void {
  const connect = async (): Promise<void> => {
    try {
      const response = await fetch('/api/live', { headers: headers() });
      if (!response.ok || !response.body) throw new Error(`live: ${response.status}`);
      onState(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data !== '') onChange(JSON.parse(data) as LiveChange);
        }
      }
    } catch {
      // Reconnect below: the server restarted or the network dropped.
    }
    onState(false);
    setTimeout(() => void connect(), 3_000);
  };
  void connect();
}
