"""A socket holder for portctl's integration tests, for what Deno cannot do by itself:
SO_REUSEPORT groups, forked workers sharing one listening fd, supervisors that restart a child,
and churn (processes that appear and vanish while portctl scans).

Prints one JSON line {"pid", "port", "workers"} once every socket is bound, then waits.
"""
import argparse, json, os, signal, socket, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--tcp", action="append", default=[], help="listen on this address")
p.add_argument("--udp", action="append", default=[], help="bind UDP on this address")
p.add_argument("--port", type=int, default=0, help="port for the first socket (0 = ephemeral)")
p.add_argument("--reuseport", action="store_true")
p.add_argument("--v6only", choices=("on", "off"), default="on",
               help="IPV6_V6ONLY of IPv6 sockets; off makes a socket on :: take IPv4 too")
p.add_argument("--no-listen", action="store_true",
               help="bind TCP sockets without listen(): they hold the port all the same")
p.add_argument("--workers", type=int, default=0, help="fork this many workers after binding")
p.add_argument("--worker-user", help="workers drop to this user (as nginx's do), keeping the fd")
p.add_argument("--ignore-term", action="store_true")
p.add_argument("--supervise", action="store_true", help="run a child holder and restart it")
p.add_argument("--churn", action="store_true", help="fork short-lived children forever")
p.add_argument("--flap", action="store_true", help="open and close a listener on --port forever")
p.add_argument("--leader-exits", action="store_true",
               help="after announcing, the main thread exits (pthread_exit) while another thread "
                    "keeps the process and its sockets alive: /proc/<pid>/fd is then empty")
args = p.parse_args()

if args.ignore_term:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

def announce(**fields):
    sys.stdout.write(json.dumps({"pid": os.getpid(), **fields}) + "\n")
    sys.stdout.flush()

if args.churn:
    announce(port=0, workers=[])
    while True:
        if os.fork() == 0:
            os._exit(0)
        os.wait()

if args.flap:
    # The same process closes and reopens its listener: scans race with the socket, not the pid.
    announce(port=args.port, workers=[])
    while True:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", args.port))
        s.listen()
        time.sleep(0.003)
        s.close()
        time.sleep(0.001)

if args.supervise:
    # Restarts its child 100 ms after it dies, on the same port: what systemd does by default.
    child_args = [sys.executable, __file__, "--port", str(args.port)] + \
        [a for t in args.tcp for a in ("--tcp", t)]
    child = subprocess.Popen(child_args, stdout=subprocess.PIPE)
    first = json.loads(child.stdout.readline())
    announce(port=first["port"], workers=[first["pid"]])
    while True:
        child.wait()
        time.sleep(0.1)
        child = subprocess.Popen(child_args[:2] + ["--port", str(first["port"])] + child_args[4:],
                                 stdout=subprocess.DEVNULL)

port = args.port
sockets = []
for kind, addresses in (("tcp", args.tcp), ("udp", args.udp)):
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if args.v6only == "on" else 0)
        if args.reuseport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((address, port))
        port = s.getsockname()[1]
        if kind == "tcp" and not args.no_listen:
            s.listen()
        sockets.append(s)

workers = []
for _ in range(args.workers):
    pid = os.fork()
    if pid == 0:
        if args.worker_user:
            import pwd
            user = pwd.getpwnam(args.worker_user)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            # Changing uid makes a process undumpable (its /proc files stay root's); nginx turns
            # that back on, which is what lets its workers' owner inspect them.
            import ctypes
            ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
        while True:
            time.sleep(3600)
    workers.append(pid)
announce(port=port, workers=workers)
if args.leader_exits:
    import ctypes, threading
    threading.Thread(target=lambda: time.sleep(3600)).start()
    # ctypes lets go of the GIL for the call, so the other thread runs on once this one is gone.
    ctypes.CDLL(None).pthread_exit(None)
while True:
    time.sleep(3600)
