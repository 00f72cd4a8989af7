import type { MethodName, Params, Result } from '../protocol/protocol';
import { RpcFailure } from './rpcFailure';
import { paramValidators, type ParamValidators } from './validateParams';

/**
 * One handler per protocol method, typed by `Methods`: a missing method, or a handler whose params
 * or result do not match the protocol, does not compile. `C` is what the transport passes along
 * (e.g. the connection, for `hello`).
 */
export type Handlers<C> = { [M in MethodName]: (params: Params<M>, context: C) => Promise<Result<M>> };

/** Routes a request to its handler after checking its params. */
export class Dispatcher<C> {
  constructor(
    private readonly handlers: Handlers<C>,
    private readonly validators: ParamValidators = paramValidators,
  ) {}

  isMethod(name: string): name is MethodName {
    return Object.hasOwn(this.validators, name);
  }

  /**
   * Checks `rawParams` and calls the handler. The handler starts synchronously (before the first
   * await), so a `hello` authenticates before the next message is read. Rejects with RpcFailure
   * BAD_REQUEST for an unknown method or params that do not fit, naming the field.
   */
  call(method: string, rawParams: unknown, context: C): Promise<unknown> {
    if (!this.isMethod(method)) return Promise.reject(new RpcFailure('BAD_REQUEST', `unknown method ${JSON.stringify(method)}; the methods are ${Object.keys(this.validators).join(', ')}`));
    try {
      return this.invoke(method, rawParams, context);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private invoke<M extends MethodName>(method: M, rawParams: unknown, context: C): Promise<Result<M>> {
    const params: Params<M> = this.validators[method](rawParams);
    const handler: (params: Params<M>, context: C) => Promise<Result<M>> = this.handlers[method];
    return handler.call(this.handlers, params, context);
  }
}
