// Worker entry heapWorkerJobs uses when PerfLens runs from source under tsx (the tests). Node 20
// does not apply tsx's hooks to a worker whose entry file is .ts, but does to what a .cjs entry
// requires. The built server uses dist/heapWorker.js instead.
require('./heapWorker.ts');
