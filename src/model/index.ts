export * from './manifest';
export * from './mesh-model';
export * from './waypoint-binding';
export * from './attachment';
export * from './suggest';
