// Status changes appear without reloading: the page asks again at a modest interval, faster while something of the
// person's own is moving, and not at all while the tab is hidden (a background tab costs the API nothing). Showing the
// tab again refreshes at once, so what it shows is never older than the moment it came back.

export interface PollerOptions {
  /** One refresh; it reports whether something is moving (then the next one comes sooner). */
  refresh(): Promise<boolean>;
  /** Between refreshes when nothing is moving. */
  idleMs: number;
  /** Between refreshes while something is moving. */
  movingMs: number;
}

export interface Poller {
  /** Refreshes now, then keeps refreshing until stopped. */
  start(): void;
  stop(): void;
  /** Refreshes now (after an action of the person's own), keeping the schedule. */
  now(): Promise<void>;
}

export const poller = ({ refresh, idleMs, movingMs }: PollerOptions): Poller => {
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let moving = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    if (running && !document.hidden) timer = setTimeout(() => void tick(), moving ? movingMs : idleMs);
  };

  const tick = async (): Promise<void> => {
    // One refresh at a time: a slow answer must not be overtaken by the next, older-looking one.
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        moving = await refresh();
      } catch {
        // refresh() shows its own errors; the schedule goes on so the page recovers when the API does.
      } finally {
        inFlight = undefined;
        schedule();
      }
    })();
    return inFlight;
  };

  const onVisibility = () => {
    if (!running) return;
    if (document.hidden) {
      clearTimeout(timer);
      timer = undefined;
    } else {
      void tick();
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      document.addEventListener('visibilitychange', onVisibility);
      void tick();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      document.removeEventListener('visibilitychange', onVisibility);
    },
    // A refresh already under way may have asked before the person's action landed: wait for it, then ask again.
    async now() {
      if (inFlight) await inFlight;
      await tick();
    },
  };
};
