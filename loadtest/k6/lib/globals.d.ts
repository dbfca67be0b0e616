// k6 provides console like a browser does; @types/k6 does not declare it and the scripts must not pull in DOM types.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
