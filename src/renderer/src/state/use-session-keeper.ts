import { useEffect } from 'react';
import { useApp } from './app';
import { useSession } from './session';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Keeps the operator session honest: input counts as activity, a timer signs out after the idle
 * timeout, and when a session ends by itself the screen goes back to the kiosk.
 */
export function useSessionKeeper(): void {
  const dispatch = useSession((s) => s.dispatch);

  useEffect(() => {
    let last = 0;
    const onActivity = (): void => {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      if (useSession.getState().session) dispatch({ type: 'activity', now });
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true, capture: true });
    const timer = setInterval(() => dispatch({ type: 'tick', now: Date.now() }), 1000);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity, { capture: true });
      clearInterval(timer);
    };
  }, [dispatch]);

  useEffect(
    () =>
      useSession.subscribe((s, before) => {
        if (before.session && !s.session && (s.endedBecause === 'idle' || s.endedBecause === 'expired')) {
          useApp.getState().navigate('kiosk');
        }
      }),
    [],
  );
}
