"""Decisions as data: who may do what, routing of referrals, and the reasons behind each decision."""
