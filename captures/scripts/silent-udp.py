#!/usr/bin/env python3
"""A "resolver" that reads DNS queries and never answers.

make-captures.sh points dig at it so dns-mixed.pcap holds a query that stays
unanswered without an ICMP port-unreachable (what a firewall that drops DNS
looks like).

Usage: silent-udp.py ADDR PORT
"""
import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], int(sys.argv[2])))
while True:
    sock.recv(65536)
