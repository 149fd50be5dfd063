// Polyfills that let @fedify/fedify 2.3 (which declares Node >= 22) run on Node 20.
// Loaded with `node --import ./polyfill.mjs fedify-peer.mjs`; every shim is a no-op when the
// runtime already has the feature, so this file is harmless on Node 22+.
//
// What needs it (found by grepping node_modules/@fedify/*, @logtape, byte-encodings):
//  - ArrayBuffer.prototype.transfer: byte-encodings (used by @fedify/* for base64/hex/multibase).
//  - globalThis.navigator: @fedify/fedify references the bare identifier `navigator?.userAgent`
//    (Cloudflare Workers detection) while signing/fetching keys -> ReferenceError on Node 20.
//  - Iterator / iterator helpers: @fedify/uri-template's Router.register uses
//    `Iterator.from(routes).map(...)` (Node 22 iterator helpers).
//  - Promise.withResolvers: not used by Fedify 2.3.6 today; cheap insurance (Node 22).

const define = (target, name, value) => {
  if (typeof target[name] !== 'undefined') return;
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
};

// --- ArrayBuffer.prototype.transfer / transferToFixedLength / detached (ES2024) ------------
if (typeof ArrayBuffer.prototype.transfer !== 'function') {
  const detach = (buffer) => {
    // structuredClone with a transfer list detaches the source buffer (Node >= 17).
    if (buffer.byteLength > 0) structuredClone(buffer, { transfer: [buffer] });
  };
  const transfer = function transfer(newLength) {
    if (!(this instanceof ArrayBuffer)) throw new TypeError('ArrayBuffer.prototype.transfer called on incompatible receiver');
    const length = newLength === undefined ? this.byteLength : Math.max(0, Math.trunc(Number(newLength)) || 0);
    const copy = new ArrayBuffer(length);
    new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
    detach(this);
    return copy;
  };
  define(ArrayBuffer.prototype, 'transfer', transfer);
  define(ArrayBuffer.prototype, 'transferToFixedLength', transfer);
}
if (!('detached' in ArrayBuffer.prototype)) {
  Object.defineProperty(ArrayBuffer.prototype, 'detached', {
    configurable: true,
    get() {
      if (this.byteLength !== 0) return false;
      try {
        new Uint8Array(this);
        return false;
      } catch {
        return true;
      }
    },
  });
}

// --- globalThis.navigator (Node 21+) ----------------------------------------------------------
if (typeof globalThis.navigator === 'undefined') {
  const major = process.versions.node.split('.')[0];
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({
      userAgent: `Node.js/${major}`,
      language: 'en-US',
      languages: Object.freeze(['en-US']),
      hardwareConcurrency: 1,
      platform: process.platform,
    }),
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

// --- Promise.withResolvers (Node 22) ----------------------------------------------------------
define(Promise, 'withResolvers', function withResolvers() {
  let resolve;
  let reject;
  const promise = new this((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
});

// --- Iterator global + synchronous iterator helpers (Node 22) ---------------------------------
if (typeof globalThis.Iterator === 'undefined') {
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

  function Iterator() {
    if (new.target === undefined || new.target === Iterator) {
      throw new TypeError('Iterator is an abstract class');
    }
  }
  Iterator.prototype = IteratorPrototype;
  Object.defineProperty(IteratorPrototype, 'constructor', {
    value: Iterator, writable: true, configurable: true, enumerable: false,
  });

  const getIterator = (obj) => {
    if (obj == null) throw new TypeError('Iterator.from called on null or undefined');
    const method = obj[Symbol.iterator];
    if (typeof method === 'function') return method.call(obj);
    if (typeof obj.next === 'function') return obj;
    throw new TypeError('object is not iterable');
  };


  define(Iterator, 'from', function from(obj) {
    const it = getIterator(obj);
    if (it instanceof Iterator) return it;
    return (function* wrap() {
      let r;
      while (!(r = it.next()).done) yield r.value;
    })();
  });

  const iterate = function* (self) {
    let r;
    while (!(r = self.next()).done) yield r.value;
  };

  define(IteratorPrototype, 'map', function map(fn) {
    const self = this;
    return ((function* () { let i = 0; for (const v of iterate(self)) yield fn(v, i++); })());
  });
  define(IteratorPrototype, 'filter', function filter(fn) {
    const self = this;
    return ((function* () { let i = 0; for (const v of iterate(self)) if (fn(v, i++)) yield v; })());
  });
  define(IteratorPrototype, 'take', function take(limit) {
    const self = this;
    return ((function* () {
      let left = Number(limit);
      if (left <= 0) return;
      for (const v of iterate(self)) { yield v; if (--left <= 0) return; }
    })());
  });
  define(IteratorPrototype, 'drop', function drop(limit) {
    const self = this;
    return ((function* () { let left = Number(limit); for (const v of iterate(self)) { if (left > 0) { left--; continue; } yield v; } })());
  });
  define(IteratorPrototype, 'flatMap', function flatMap(fn) {
    const self = this;
    return ((function* () { let i = 0; for (const v of iterate(self)) yield* iterate(getIterator(fn(v, i++))); })());
  });
  define(IteratorPrototype, 'reduce', function reduce(fn, ...init) {
    let i = 0;
    let acc;
    let started = init.length > 0;
    if (started) acc = init[0];
    for (const v of iterate(this)) {
      if (!started) { acc = v; started = true; i++; continue; }
      acc = fn(acc, v, i++);
    }
    if (!started) throw new TypeError('Reduce of empty iterator with no initial value');
    return acc;
  });
  define(IteratorPrototype, 'toArray', function toArray() { return [...iterate(this)]; });
  define(IteratorPrototype, 'forEach', function forEach(fn) { let i = 0; for (const v of iterate(this)) fn(v, i++); });
  define(IteratorPrototype, 'some', function some(fn) { let i = 0; for (const v of iterate(this)) if (fn(v, i++)) return true; return false; });
  define(IteratorPrototype, 'every', function every(fn) { let i = 0; for (const v of iterate(this)) if (!fn(v, i++)) return false; return true; });
  define(IteratorPrototype, 'find', function find(fn) { let i = 0; for (const v of iterate(this)) if (fn(v, i++)) return v; return undefined; });

  Object.defineProperty(globalThis, 'Iterator', { value: Iterator, writable: true, configurable: true, enumerable: false });
}
