/**
 * Writes as TanStack mutations: the busy state and the error come from useMutation, and a write that
 * succeeded invalidates the queries it changed (keys from ./hooks), so whatever shows them refetches. A
 * refresh is an invalidation: no component counts writes or reloads by hand.
 */
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";

export type Invalidates<TVars, TResult> = readonly QueryKey[] | ((vars: TVars, result: TResult) => readonly QueryKey[]);

export function useWrite<TVars = void, TResult = unknown>(
  write: (vars: TVars) => Promise<TResult>,
  {
    invalidates = [],
    onDone,
    untilRefetched = false,
  }: {
    invalidates?: Invalidates<TVars, TResult>;
    onDone?: (result: TResult, vars: TVars) => void;
    /** The write stays pending until what it changed has refetched (an editor whose buttons follow the
     * object's lock); otherwise a dialog closes at once and the change refetches behind it. */
    untilRefetched?: boolean;
  } = {},
) {
  const queryClient = useQueryClient();
  return useMutation<TResult, unknown, TVars>({
    mutationFn: write,
    onSuccess: async (result, vars) => {
      const changed = typeof invalidates === "function" ? invalidates(vars, result) : invalidates;
      const refetched = Promise.all(changed.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      if (untilRefetched) await refetched;
      onDone?.(result, vars);
    },
  });
}
