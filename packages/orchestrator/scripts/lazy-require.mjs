// Packages a bundle leaves outside (esbuild `external`) and requires on first
// use instead of at load: `require(id)` answers a stand-in whose exports load
// the package when touched (a call, `new`, a property read). Their export names
// are read at bundle time, so that esbuild's interop code (`__toESM`, which
// copies the names) sees them without loading the package.
import { createRequire } from 'node:module';

/**
 * JavaScript that replaces `require` in the bundle's scope by one that answers
 * stand-ins for `ids` (loaded through `loader`, an expression evaluating to a
 * require function) and passes every other id to the original `require`.
 * `from` is a file of the package whose node_modules hold `ids`.
 */
export function lazyRequireSource(ids, from, loader = 'require') {
  const here = createRequire(from);
  const names = Object.fromEntries(ids.map((id) => [id, Object.keys(here(id))]));
  return `require = ((original, late, names) => {
  const lazy = (id) => {
    let real;
    const load = () => (real ??= late(id));
    const own = names[id];
    return new Proxy(function () {}, {
      construct: (_t, args) => Reflect.construct(load(), args),
      apply: (_t, self, args) => Reflect.apply(load(), self, args),
      get: (t, key) => (own.includes(key) ? load()[key] : t[key]),
      has: (t, key) => own.includes(key) || key in t,
      ownKeys: (t) => [...new Set([...own, ...Reflect.ownKeys(t)])],
      getOwnPropertyDescriptor: (t, key) =>
        own.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : Reflect.getOwnPropertyDescriptor(t, key),
    });
  };
  return (id) => (Object.hasOwn(names, id) ? lazy(id) : original(id));
})(require, ${loader}, ${JSON.stringify(names)});
`;
}
