/** A minimal typed event emitter; a listener that throws does not stop the others. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, fn: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => {
      set!.delete(fn as (payload: never) => void);
    };
  }

  /** Calls the listeners of `event`; returns how many there were. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): number {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return 0;
    for (const fn of [...set]) {
      try {
        (fn as (p: Events[E]) => void)(payload);
      } catch {
        /* a listener's fault is its own */
      }
    }
    return set.size;
  }
}
