/** Express 4 (`express4`, an npm alias of express@4) has the types of Express 5, enough for the tests. */
declare module 'express4' {
  import express from 'express';
  export default express;
}
