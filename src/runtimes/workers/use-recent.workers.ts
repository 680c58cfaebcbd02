// The bounded caches of the Workers entry (a runner isolate's prepared operators, the registry's
// prepared module bytes): a Map kept in order of use, whose least recently used entry goes once
// it holds more than its bound. A Workers isolate has 128 MB; what it caches must not grow with
// every operator name or version ever run.

/**
 * `map`'s value for `key`, made by `create` when absent, now the most recently used; past `max`
 * entries the least recently used one is dropped.
 */
export function useRecent<K, V>(map: Map<K, V>, key: K, create: () => V, max: number): V {
  let value = map.get(key);
  if (value === undefined) value = create();
  else map.delete(key);
  map.set(key, value); // most recent last
  if (map.size > max) map.delete(map.keys().next().value as K);
  return value;
}
