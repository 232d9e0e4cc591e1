package io.tracearr.analytics; public class App { public static void main(String[] a){} }
