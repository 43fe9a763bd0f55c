export declare function definePackageConfig(name: string, test?: Record<string, unknown>): any;
