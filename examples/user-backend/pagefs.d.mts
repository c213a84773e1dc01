// Types for pagefs.mjs (a user's backend written in plain JavaScript).
import type { Backend } from 'vfsim';
export declare class PageFs implements Backend {
  readonly fsType: string;
  readonly rootIno: number;
  readonly capabilities: Backend['capabilities'];
  statfs: Backend['statfs'];
  sync: Backend['sync'];
  unmount: Backend['unmount'];
  lookup: Backend['lookup'];
  getattr: Backend['getattr'];
  setattr: Backend['setattr'];
  create: Backend['create'];
  mkdir: Backend['mkdir'];
  symlink: Backend['symlink'];
  readlink: Backend['readlink'];
  link: Backend['link'];
  unlink: Backend['unlink'];
  rmdir: Backend['rmdir'];
  rename: Backend['rename'];
  readdir: Backend['readdir'];
  read: Backend['read'];
  write: Backend['write'];
  truncate: Backend['truncate'];
  fsync: Backend['fsync'];
  inactive: Backend['inactive'];
}
