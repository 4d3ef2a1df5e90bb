export * from './manifest';
export * from './mesh-model';
export * from './waypoint-binding';
export * from './attachment';
export * from './gateway-class';
export * from './protocol';
export * from './extensions';
export * from './suggest';
