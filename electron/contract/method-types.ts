/** The contract's method for a channel `<service>:<method>`, and its arguments (what the channel's schema parses to). */
import type { EarshotApi } from './api.ts';

export type MethodOf<C extends string> = C extends `${infer S}:${infer M}`
  ? S extends keyof EarshotApi
    ? M extends keyof EarshotApi[S]
      ? EarshotApi[S][M]
      : never
    : never
  : never;

export type ChannelArgs<C extends string> = MethodOf<C> extends (...args: infer A) => unknown ? A : never;

/** True only when A and B are the same type (not merely assignable one way). */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
