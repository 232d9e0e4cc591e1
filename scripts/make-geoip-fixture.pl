#!/usr/bin/perl
# Writes the tiny GeoIP2-City-compatible test database used by the detect tests.
#
#   apt-get install -y libmaxmind-db-writer-perl
#   perl scripts/make-geoip-fixture.pl [output.mmdb]
#
# The networks below are documented in src/test/resources/geoip/README.md;
# keep the two in sync. The .mmdb is committed so the tests never need Perl.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my $out = shift @ARGV // 'src/test/resources/geoip/GeoIP2-City-Test.mmdb';

my %types = (
    city            => 'map',
    country         => 'map',
    location        => 'map',
    names           => 'map',
    en              => 'utf8_string',
    iso_code        => 'utf8_string',
    latitude        => 'double',
    longitude       => 'double',
    accuracy_radius => 'uint16',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    database_type         => 'GeoIP2-City',
    description           => { en => 'tracearr-analytics test fixture (fake data)' },
    languages             => ['en'],
    ip_version            => 6,
    record_size           => 28,
    # IPv4 networks live in ::/96; also reach them via ::ffff:0:0/96 and 6to4.
    alias_ipv6_to_ipv4    => 1,
    map_key_type_callback => sub { $types{ $_[0] } },
    # A fixed build time keeps the committed binary reproducible.
    _build_epoch          => 1735689600,
);

sub record {
    my ( $city, $iso, $country, $lat, $lon, $radius ) = @_;
    my %r = (
        country  => { iso_code => $iso, names => { en => $country } },
        location => {
            latitude        => $lat,
            longitude       => $lon,
            accuracy_radius => $radius,
        },
    );
    $r{city} = { names => { en => $city } } if defined $city;
    return \%r;
}

my @networks = (
    [ '90.80.10.0/24',   'Paris',    'FR', 'France',         48.8566,  2.3522,   5 ],
    [ '24.24.24.0/24',   'Syracuse', 'US', 'United States',  43.0481,  -76.1474, 5 ],
    [ '81.2.69.0/24',    'London',   'GB', 'United Kingdom', 51.5074,  -0.1278,  5 ],
    [ '72.229.28.0/24',  'New York', 'US', 'United States',  40.7128,  -74.0060, 5 ],
    [ '85.214.132.0/24', 'Berlin',   'DE', 'Germany',        52.52,    13.405,   5 ],
    [ '89.204.130.0/24', 'Munich',   'DE', 'Germany',        48.1351,  11.582,   5 ],
    [ '203.2.218.0/24',  'Sydney',   'AU', 'Australia',      -33.8688, 151.2093, 5 ],
    [ '176.161.10.0/24', 'Lyon',     'FR', 'France',         45.764,   4.8357,   10 ],
    # Country centroids: what a database returns when it only knows the country.
    [ '12.34.56.0/24',   undef,      'US', 'United States',  39.76,    -98.5,    1000 ],
    [ '62.147.0.0/24',   undef,      'FR', 'France',         46.0,     2.0,      500 ],
    [ '2a01:e0a::/32',   'Paris',    'FR', 'France',         48.8566,  2.3522,   5 ],
);

for my $n (@networks) {
    my ( $cidr, @fields ) = @{$n};
    $tree->insert_network( $cidr, record(@fields) );
}

open my $fh, '>:raw', $out or die "cannot write $out: $!";
$tree->write_tree($fh);
close $fh or die "cannot close $out: $!";
print "wrote $out\n";
