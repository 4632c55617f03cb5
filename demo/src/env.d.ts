/// <reference types="vite/client" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
