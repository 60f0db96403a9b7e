// Next bundles our modules once per layer: the instrumentation hook, where the app's long-lived parts
// are made (lib/app.ts, kept on globalThis), and the route handlers each get their own copy of every
// module they import. A class or a Symbol is then one per copy. An error thrown by an app-held object is
// the instrumentation's class, and a route's `instanceof` with its own copy said no: a typing indicator
// for a conversation that is not there answered 500, not 404. Tests never saw it (vitest loads each
// module once). What crosses that line is recognised by a registered symbol instead: `Symbol.for` is one
// per process, whatever the copy.

/** Makes `instanceof cls` hold for instances of any bundled copy of `cls` (registered under `name`). */
export function recognisedAcrossBundles(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`ticks.class.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      // A subclass that was not registered itself keeps the ordinary check.
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, value);
      return typeof value === 'object' && value !== null && brand in value;
    },
  });
}
