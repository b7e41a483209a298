/** Creates the value on first call and returns the same one after: one client per container, made only if used. */
export const lazy = <T>(create: () => T): (() => T) => {
  let instance: T | undefined;
  return () => (instance ??= create());
};
