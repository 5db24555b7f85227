export * from './finding';
export * from './context';
export * from './report';
export * from './store-data';
export * from './settings';
export * from './scan-type-defaults';
export * from './python-str';
