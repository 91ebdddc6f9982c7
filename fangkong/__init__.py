"""Fangkong (防控): the operations platform of a university's prevention & control office."""
