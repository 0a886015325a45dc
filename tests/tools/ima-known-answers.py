#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Computes the expected values of tests/test_ima.c with hashlib.
import hashlib, struct

def u32(v, big=False):
    return struct.pack('>I' if big else '<I', v)

def field(b, big=False):
    return u32(len(b), big) + b

def dng(algo, digest):
    return algo.encode() + b':\0' + digest

def ng_data(algo, digest, name, big=False, extra=()):
    d = field(dng(algo, digest), big) + field(name.encode() + b'\0', big)
    for e in extra:
        d += field(e, big)
    return d

def entry(tdigest, name, data, big=False, pcr=10):
    return u32(pcr, big) + tdigest + field(name.encode(), big) + u32(len(data), big) + data

def legacy_blob(digest, name):
    return digest + name.encode().ljust(256, b'\0')

def legacy_entry(digest, name, big=False, pcr=10):
    blob = legacy_blob(digest, name)
    t = hashlib.sha1(blob).digest()
    return u32(pcr, big) + t + field(b'ima', big) + digest + field(name.encode(), big)

def extend(alg, pcr, d):
    return hashlib.new(alg, pcr + d).digest()

SIZES = {'sha1': 20, 'sha256': 32, 'sha384': 48, 'sha512': 64}

def replay(datas, alg, rule):
    # datas: template data (None = violation)
    v = bytes(SIZES[alg])
    for d in datas:
        if rule == 'perbank':
            x = b'\xff' * SIZES[alg] if d is None else hashlib.new(alg, d).digest()
        else:
            x = (b'\xff' * 20 if d is None else hashlib.sha1(d).digest()).ljust(SIZES[alg], b'\0')
        v = extend(alg, v, x)
    return v.hex()

def p(name, val):
    print(f'{name} = {val}')

boot = ng_data('sha256', b'\x11' * 32, 'boot_aggregate')
sh = ng_data('sha256', b'\x22' * 32, '/bin/sh')
pw = ng_data('sha256', b'\x33' * 32, '/etc/passwd')
viol = ng_data('sha256', bytes(32), '/tmp/writer')
print('# L1 = [boot, sh, passwd], little-endian')
for n, d in (('boot', boot), ('sh', sh), ('passwd', pw), ('viol', viol)):
    p(f'sha1({n})', hashlib.sha1(d).hexdigest())
    p(f'sha256({n})', hashlib.sha256(d).hexdigest())
L1 = [boot, sh, pw]
p('L1 sha1', replay(L1, 'sha1', 'perbank'))
p('L1 sha256 perbank', replay(L1, 'sha256', 'perbank'))
p('L1 sha256 padded', replay(L1, 'sha256', 'padded'))
p('L1[:2] sha1', replay(L1[:2], 'sha1', 'perbank'))
p('L1[:2] sha256 perbank', replay(L1[:2], 'sha256', 'perbank'))
print('# L1 big-endian')
bootB = ng_data('sha256', b'\x11' * 32, 'boot_aggregate', True)
shB = ng_data('sha256', b'\x22' * 32, '/bin/sh', True)
pwB = ng_data('sha256', b'\x33' * 32, '/etc/passwd', True)
for n, d in (('bootB', bootB), ('shB', shB), ('passwdB', pwB)):
    p(f'sha1({n})', hashlib.sha1(d).hexdigest())
p('L1B sha1', replay([bootB, shB, pwB], 'sha1', 'perbank'))
p('L1B sha256 perbank', replay([bootB, shB, pwB], 'sha256', 'perbank'))
print('# legacy')
leg1 = legacy_blob(b'\x44' * 20, '/usr/bin/true')
leg2 = legacy_blob(b'\x45' * 20, '/usr/bin/false')
p('sha1(leg1)', hashlib.sha1(leg1).hexdigest())
p('sha1(leg2)', hashlib.sha1(leg2).hexdigest())
p('legacy sha1', replay([leg1, leg2], 'sha1', 'perbank'))
p('legacy sha256 perbank', replay([leg1, leg2], 'sha256', 'perbank'))
print('# violations [boot, viol]')
for alg in ('sha1', 'sha256'):
    p(f'viol {alg} perbank', replay([boot, None], alg, 'perbank'))
    p(f'viol {alg} padded', replay([boot, None], alg, 'padded'))
print('# misc')
foo = b'not a field list'
p('sha1(foo)', hashlib.sha1(foo).hexdigest())
p('misc [custom sh, foo] sha256 perbank', replay([sh, foo], 'sha256', 'perbank'))
p('misc sha1', replay([sh, foo], 'sha1', 'perbank'))
print('# ascii kinds')
sig = bytes.fromhex('030204abcdef0123')
sigd = ng_data('sha256', b'\x55' * 32, '/usr/bin/ls', extra=(sig,))
sige = ng_data('sha256', b'\x66' * 32, '/usr/bin/cat', extra=(b'',))
buf = b'6.1.0'
bufdig = hashlib.sha256(buf).digest()
p('sha256(buf)', bufdig.hex())
bufd = ng_data('sha256', bufdig, 'kernel_version', extra=(buf,))
for n, d in (('sig', sigd), ('sig_empty', sige), ('buf', bufd)):
    p(f'sha1({n})', hashlib.sha1(d).hexdigest())
A = [leg1, sh, sigd, sige, bufd]
p('ascii sha1', replay(A, 'sha1', 'perbank'))
p('ascii sha256 perbank', replay(A, 'sha256', 'perbank'))
print('# ascii unknown then line 1 sh only sha1')
p('sha1 sh', replay([sh], 'sha1', 'perbank'))
print('# boot_aggregate: firmware log with one event per PCR 0-9, digest byte i+1')
fw = {}
for alg in ('sha1', 'sha256'):
    vals = [hashlib.new(alg, bytes(SIZES[alg]) + bytes([i + 1]) * SIZES[alg]).digest() for i in range(10)]
    fw[alg] = vals
ba256_9 = hashlib.sha256(b''.join(fw['sha256'][:10])).digest()
ba256_7 = hashlib.sha256(b''.join(fw['sha256'][:8])).digest()
ba1_7 = hashlib.sha1(b''.join(fw['sha1'][:8])).digest()
p('ba sha256 0-9', ba256_9.hex())
p('ba sha256 0-7', ba256_7.hex())
p('ba sha1 0-7', ba1_7.hex())
for n, dg in (('ba9', ba256_9), ('ba7', ba256_7), ('ba0', bytes(32)), ('bax', b'\x77' * 32)):
    d = ng_data('sha256', dg, 'boot_aggregate')
    p(f'sha1(data {n})', hashlib.sha1(d).hexdigest())
lb = legacy_blob(ba1_7, 'boot_aggregate')
p('sha1(legacy ba1_7)', hashlib.sha1(lb).hexdigest())
# PCR 10 after [ba9, sh] on top of firmware (PCR 10 zero): perbank sha256
p('ba9+sh sha256 perbank', replay([ng_data('sha256', ba256_9, 'boot_aggregate'), sh], 'sha256', 'perbank'))
