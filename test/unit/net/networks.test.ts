import { describe, expect, it } from 'vitest';
import { freeAddress, freeSubnet, parseSubnet, subnetContains } from '../../../src/net/networks.js';

describe('network addressing', () => {
  it('the first free 10.89.N.0/24', () => {
    expect(freeSubnet([])).toBe('10.89.0.0/24');
    expect(freeSubnet(['10.89.0.0/24', '10.89.1.0/24'])).toBe('10.89.2.0/24');
    expect(freeSubnet(['10.89.0.0/23'])).toBe('10.89.2.0/24');
  });
  it('addresses skip the gateway and those in use', () => {
    expect(freeAddress('10.89.0.0/24', '10.89.0.1', [])).toBe('10.89.0.2');
    expect(freeAddress('10.89.0.0/24', '10.89.0.1', ['10.89.0.2'])).toBe('10.89.0.3');
    expect(() => freeAddress('10.0.0.0/30', '10.0.0.1', ['10.0.0.2'])).toThrow('no free IP address left in subnet 10.0.0.0/30');
  });
  it('subnets', () => {
    expect(parseSubnet('192.168.5.77/24')).toEqual({ base: 0xc0a80500, bits: 24 });
    expect(subnetContains('10.89.0.0/24', '10.89.0.200')).toBe(true);
    expect(subnetContains('10.89.0.0/24', '10.89.1.1')).toBe(false);
    expect(() => parseSubnet('10.0.0.0/31')).toThrow('invalid subnet "10.0.0.0/31"');
  });
});
