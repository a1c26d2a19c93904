#!/usr/bin/env python3
"""prof_stages.py PERF.DATA...: the console's CPU by stage of a sync (scripts/prof_sync.sh).

Each sample goes to the stage of the innermost frame of its call chain that a rule names
(scan, decode, model insert, draw, transfer...); library frames (libc, jansson) count for
the caller that a rule names. Prints ms per run (499 Hz samples) and shares.
"""
import sys, subprocess, re, collections
RULES = [
 (r'^(jscan|skip_plain|skip_bytes|strict_string|value_end|members|find\.isra|jstr)', 'scan JSON (jscan)'),
 (r'^(read_pod|kobj_|kpod|on_list_item|list_cut|cut_item|kube_list|batch_|decode_|dec_)', 'decode: pod fields'),
 (r'^(json_|hashtable_|lex_|parse_value|parse_object|parse_array|jsonp_)', 'decode: jansson trees'),
 (r'^(model_|intern|pods_|sink_|live_|hmap_|m_pod)', 'model insert'),
 (r'^(view_|tbl_|add_cell|wtext|ov_|app_|sbar|textv|glyph|vutil|frame|render|doupdate|wnoutrefresh|waddn|mvw|wadd|werase|wclear)', 'first draw'),
 (r'^(doctor|check_|mesh_|health_)', 'doctor'),
 (r'^(curl_|Curl_|http_|on_curl|socket_action|on_poll|append_body|strbuf|inflate|ssl|SSL|tls)', 'transfer (curl, recv, inflate)'),
 (r'^(main|uv_run|uv__)', None),
]
def classify(frames):
    for sym, dso in frames:
        s = re.sub(r'\+0x[0-9a-f]+$', '', sym)
        for pat, cat in RULES:
            if re.match(pat, s):
                if cat is None: break
                return cat
        else:
            continue
        break
    leaf = frames[0] if frames else ('?', '?')
    if 'kernel' in leaf[1]: return 'kernel (other)'
    return 'other: ' + re.sub(r'\+0x.*', '', leaf[0]) + ' (' + leaf[1].split('/')[-1] + ')'
def run(f):
    out = subprocess.run(['perf','script','-i',f,'-F','comm,tid,ip,sym,dso'], capture_output=True, text=True).stdout
    cats = collections.Counter(); n = 0
    for block in out.split('\n\n'):
        lines = [l for l in block.strip().split('\n') if l.strip()]
        if not lines: continue
        frames = []
        for l in lines[1:]:
            m = re.match(r'\s*([0-9a-f]+)\s+(.+?)\s+\(([^)]*)\)\s*$', l)
            if m: frames.append((m.group(2), m.group(3)))
        n += 1
        cats[classify(frames)] += 1
    return cats, n
agg = collections.Counter(); N = 0
files = sys.argv[1:]
for f in files:
    c, n = run(f); agg.update(c); N += n
for k, v in agg.most_common(30):
    print(f"{v/len(files)/499*1000:8.0f} ms {100*v/N:5.1f}%  {k}")
print(f"{N/len(files)/499*1000:8.0f} ms CPU per run ({N} samples, {len(files)} runs)")
