/**
 * A GET from the hub that follows its path: the answer of the latest path only (an older request still
 * on its way is aborted in effect: its answer is dropped), the error as an ApiError, and `reload` for
 * after a change. `path` null: nothing asked (a filter still invalid).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (path === null) {
      setState((s) => ({ ...s, loading: false }));
      return;
    }
    let live = true;
    // The previous rows stay on screen while the next page loads (no flash of an empty table).
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>('GET', path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) =>
        live &&
        setState((s) => ({
          data: s.data,
          error: e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', String(e), null),
          loading: false,
        })),
    );
    return () => {
      live = false;
    };
  }, [path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** `value` once it has stopped changing for `ms` (a search box asks the hub once typing pauses). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}
