import { randomInt } from 'node:crypto';

// Docker-style random names (adjective_scientist); short lists keep the module cheap.
const ADJECTIVES = ['admiring', 'amazing', 'bold', 'brave', 'busy', 'clever', 'cool', 'dazzling', 'eager', 'elegant', 'epic', 'fervent', 'focused', 'gallant', 'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'modest', 'nifty', 'nostalgic', 'optimistic', 'peaceful', 'pensive', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous'];
const NAMES = ['agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'bell', 'bohr', 'borg', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'fermat', 'feynman', 'gauss', 'goldberg', 'hamilton', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamarr', 'lovelace', 'mccarthy', 'meitner', 'newton', 'noether', 'pascal', 'perlman', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wozniak', 'yalow'];

export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 20; i++) {
    const n = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
    if (!taken(n)) return n;
  }
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}${randomInt(1000)}`;
}
